/* A commwatch stage plugin written in C: tags acronyms (words of two or more capital letters,
 * such as "NATO" or "ECOWAS") as spans of kind "acronym".
 *
 * Build:  cc -shared -fPIC -O2 -I ../../crates/plugin-abi/include -o libacronym.so acronym.c
 * Use:    [stages.acronyms] type = "plugin", path = "plugins/c-example/libacronym.so"
 *
 * The host lends the event as a borrowed view and copies whatever is emitted, so the plugin
 * allocates nothing and frees nothing. Configuration: {"min_length": N} (default 2). */

#include <stdlib.h>
#include <string.h>
#include "commwatch_stage.h"

typedef struct { size_t min_length; } Acronym;

/* A CwStrRef for a string literal, without its NUL. */
#define LIT(s) { (const uint8_t *)(s), sizeof(s) - 1 }

static CwStrRef str(const char *s) { CwStrRef r = { (const uint8_t *)s, strlen(s) }; return r; }

static int is_upper(uint8_t c) { return c >= 'A' && c <= 'Z'; }
static int is_word(uint8_t c) { return (c >= 'a' && c <= 'z') || is_upper(c) || (c >= '0' && c <= '9') || c >= 0x80; }

static CwStatus create(CwStrRef config, void **instance, const CwEmitter *errors) {
    Acronym *a = malloc(sizeof *a);
    if (!a) { errors->set_error(errors->ctx, str("out of memory")); return CW_STATUS_FATAL; }
    a->min_length = 2;
    /* A deliberately small parser: find "min_length": and read the number after it. */
    const char *key = "\"min_length\"";
    for (size_t i = 0; i + strlen(key) <= config.len; i++) {
        if (memcmp(config.ptr + i, key, strlen(key)) != 0) continue;
        size_t j = i + strlen(key);
        while (j < config.len && (config.ptr[j] == ' ' || config.ptr[j] == ':')) j++;
        size_t n = 0, digits = 0;
        while (j < config.len && config.ptr[j] >= '0' && config.ptr[j] <= '9') { n = n * 10 + (config.ptr[j++] - '0'); digits++; }
        if (digits == 0 || n < 2) {
            free(a);
            errors->set_error(errors->ctx, str("config.min_length: expected an integer of at least 2"));
            return CW_STATUS_FATAL;
        }
        a->min_length = n;
    }
    *instance = a;
    return CW_STATUS_OK;
}

static CwStatus process(void *instance, const CwEventView *ev, const CwEmitter *em) {
    const Acronym *a = instance;
    const uint8_t *t = ev->raw.ptr;
    size_t n = ev->raw.len, i = 0;
    while (i < n) {
        if (!is_upper(t[i]) || (i > 0 && is_word(t[i - 1]))) { i++; continue; }
        size_t j = i;
        while (j < n && is_upper(t[j])) j++;
        if (j - i >= a->min_length && (j == n || !is_word(t[j]))) {
            CwStrRef id = { t + i, j - i };
            CwSpanRef span = { i, j, LIT("acronym"), id, id, LIT("") };
            if (em->emit_span(em->ctx, &span) != CW_STATUS_OK) return CW_STATUS_EVENT_ERROR;
        }
        i = j;
    }
    return CW_STATUS_OK;
}

static void destroy(void *instance) { free(instance); }

static const CwDescriptor DESCRIPTOR = {
    .magic = CW_MAGIC,
    .abi_major = CW_ABI_MAJOR,
    .abi_minor = CW_ABI_MINOR,
    .struct_size = sizeof(CwDescriptor),
    .reserved = 0,
    .layout_hash = CW_LAYOUT_HASH,
    .name = LIT("acronym"),
    .version = LIT("1.0.0"),
    .config_schema = LIT("{\"type\":\"object\",\"properties\":{\"min_length\":{\"type\":\"integer\",\"minimum\":2}}}"),
    /* C cannot panic; it declares the unwind capability because nothing can unwind out of it. */
    .capabilities = CW_CAP_PANIC_UNWIND | CW_CAP_EMITS_SPANS,
    .create = create,
    .process = process,
    .destroy = destroy,
};

const CwDescriptor *commwatch_stage_descriptor_v1(void) { return &DESCRIPTOR; }
