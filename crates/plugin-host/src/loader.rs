//! Loading a plugin file and checking it before anything in it is called.
//!
//! The checks run in the order that keeps the host safe: file checks before `dlopen` (which runs
//! the library's initializers), the frozen descriptor header before any other field (a plugin
//! built for another ABI may not even have them), and the layout hash before the function
//! pointers are trusted. Each failure is a [`LoadError`] naming the file and both sides' values.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use commwatch_plugin_abi::{
    ABI_MAJOR, ABI_MINOR, CAP_PANIC_UNWIND, DESCRIPTOR_SYMBOL, Descriptor, DescriptorFn,
    LAYOUT_HASH, MAGIC, StrRef,
};
use libloading::os::unix::{Library, RTLD_LOCAL, RTLD_NOW};
use sha2::{Digest, Sha256};

/// Why a plugin was refused. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file does not exist or cannot be opened.
    #[error("{path}: cannot open the plugin file: {error}")]
    Open {
        /// The plugin file.
        path: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// Not a regular file.
    #[error("{path}: not a regular file")]
    NotAFile {
        /// The plugin file.
        path: PathBuf,
    },
    /// Anyone but its owner could change the code commwatch would run.
    #[error(
        "{path}: the file is group- or world-writable (mode {mode:o}); refusing to load code others can change (chmod go-w)"
    )]
    Writable {
        /// The plugin file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Owned by a user other than the one running commwatch or root.
    #[error("{path}: owned by uid {owner}, not by the user running commwatch (uid {uid}) or root")]
    Owner {
        /// The plugin file.
        path: PathBuf,
        /// The file's owner.
        owner: u32,
        /// The current user.
        uid: u32,
    },
    /// The file's SHA-256 differs from the pin in the pipeline.
    #[error("{path}: sha256 mismatch: the pipeline pins {expected}, the file is {actual}")]
    Sha256Mismatch {
        /// The plugin file.
        path: PathBuf,
        /// The pinned digest.
        expected: String,
        /// The file's digest.
        actual: String,
    },
    /// The dynamic loader refused the file.
    #[error("{path}: not a loadable shared library: {message}")]
    Dlopen {
        /// The plugin file.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },
    /// No `commwatch_stage_descriptor_v*` symbol.
    #[error("{path}: not a commwatch stage plugin (no symbol {DESCRIPTOR_SYMBOL})")]
    NotAPlugin {
        /// The plugin file.
        path: PathBuf,
    },
    /// Built for another ABI major version.
    #[error(
        "{path}: built for stage ABI v{plugin}, this host supports ABI v{ABI_MAJOR}; rebuild it against commwatch-plugin-sdk for ABI v{ABI_MAJOR}"
    )]
    AbiMajor {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's ABI major version.
        plugin: u32,
    },
    /// Built for a newer minor version than the host has.
    #[error(
        "{path}: needs stage ABI {ABI_MAJOR}.{plugin_minor}, this host has ABI {ABI_MAJOR}.{ABI_MINOR}; upgrade commwatch or rebuild the plugin against an older SDK"
    )]
    AbiMinor {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's ABI minor version.
        plugin_minor: u32,
    },
    /// The descriptor is malformed.
    #[error("{path}: invalid plugin descriptor: {problem}")]
    Descriptor {
        /// The plugin file.
        path: PathBuf,
        /// What is wrong, with both sides' values.
        problem: String,
    },
    /// Plugin and host disagree on the layout of the ABI types.
    #[error(
        "{path}: ABI layout hash mismatch: plugin {plugin:#018x}, host {host:#018x}; the plugin was built against a different commwatch-plugin-abi (or for another pointer width)"
    )]
    Layout {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's hash.
        plugin: u64,
        /// The host's hash.
        host: u64,
    },
    /// Built with `panic = "abort"`: a panic inside it would abort commwatch.
    #[error(
        "{path}: built without unwinding (panic = \"abort\"), so a panic inside it would abort commwatch; build it with panic = \"unwind\""
    )]
    NoUnwind {
        /// The plugin file.
        path: PathBuf,
    },
    /// The plugin rejected its configuration.
    #[error("{path}: plugin {name} rejected its configuration: {message}")]
    Config {
        /// The plugin file.
        path: PathBuf,
        /// The plugin's name.
        name: String,
        /// The plugin's message.
        message: String,
    },
}

/// A loaded, checked plugin. The library is never unloaded (unloading code with live thread-local
/// destructors is unsound); loading the same file twice returns the same `Plugin`.
#[derive(Debug)]
pub struct Plugin {
    path: PathBuf,
    sha256: String,
    descriptor: &'static Descriptor,
    name: String,
    version: String,
    config_schema: String,
}

// SAFETY: the descriptor is 'static, immutable, and its functions may be called from any thread
// (instances are confined to one thread at a time by `PluginStage`).
unsafe impl Send for Plugin {}
// SAFETY: as above; `Plugin` has no interior mutability.
unsafe impl Sync for Plugin {}

impl Plugin {
    /// Loads and checks the plugin at `path`, refusing it unless its SHA-256 equals `sha256`
    /// when one is given (lowercase or uppercase hex).
    pub fn load(path: &Path, sha256: Option<&str>) -> Result<Arc<Plugin>, LoadError> {
        /// Plugins loaded in this process, by path and digest.
        type Loaded = Mutex<HashMap<(PathBuf, String), Arc<Plugin>>>;
        static LOADED: OnceLock<Loaded> = OnceLock::new();
        let path = path.to_path_buf();
        let open_err = |error| LoadError::Open {
            path: path.clone(),
            error,
        };

        // File checks on the open descriptor, so the file checked is the file loaded.
        let mut file = File::open(&path).map_err(open_err)?;
        let meta = file.metadata().map_err(open_err)?;
        if !meta.is_file() {
            return Err(LoadError::NotAFile { path });
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o022 != 0 {
            return Err(LoadError::Writable { path, mode });
        }
        let uid = current_uid();
        if meta.uid() != uid && meta.uid() != 0 {
            return Err(LoadError::Owner {
                path,
                owner: meta.uid(),
                uid,
            });
        }
        // Hash the bytes while copying them to a private directory, and load the copy: the code
        // loaded is exactly the code hashed, whatever happens to the original path meanwhile.
        let private = private_copy_dir().map_err(open_err)?;
        let copy_path = private.join(format!(
            "plugin-{}.so",
            LOAD_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let mut copy = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o700)
            .open(&copy_path)
            .map_err(open_err)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf).map_err(open_err)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            copy.write_all(&buf[..n]).map_err(open_err)?;
        }
        drop(copy);
        drop(file);
        let actual: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let discard = |e| {
            let _ = std::fs::remove_file(&copy_path);
            e
        };
        if let Some(expected) = sha256
            && !expected.eq_ignore_ascii_case(&actual)
        {
            return Err(discard(LoadError::Sha256Mismatch {
                path,
                expected: expected.to_ascii_lowercase(),
                actual,
            }));
        }

        let cache = LOADED.get_or_init(Mutex::default);
        let key = (path.clone(), actual.clone());
        if let Some(plugin) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            let _ = std::fs::remove_file(&copy_path);
            return Ok(Arc::clone(plugin));
        }

        // SAFETY: loading a library runs its initializers; the operator named this file in the
        // pipeline, and it passed the ownership, permission and pin checks above.
        let library = unsafe { Library::open(Some(&copy_path), RTLD_NOW | RTLD_LOCAL) };
        // The mapping stays valid once loaded; the private copy is not needed any more.
        let _ = std::fs::remove_file(&copy_path);
        let library = library.map_err(|e| LoadError::Dlopen {
            path: path.clone(),
            message: e.to_string(),
        })?;
        // Never unloaded: see the type's docs.
        let library: &'static Library = Box::leak(Box::new(library));

        let descriptor = find_descriptor(library, &path)?;
        let text = |s: StrRef, what: &str| -> Result<String, LoadError> {
            // SAFETY: after the layout check, `s` points at static data in the plugin.
            let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
            String::from_utf8(bytes.to_vec()).map_err(|_| LoadError::Descriptor {
                path: path.clone(),
                problem: format!("{what} is not UTF-8"),
            })
        };
        let name = text(descriptor.name, "name")?;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(LoadError::Descriptor {
                path,
                problem: format!("name {name:?} is not [A-Za-z0-9_-]+"),
            });
        }
        let version = text(descriptor.version, "version")?;
        if version
            .split('.')
            .next()
            .is_none_or(|major| major.parse::<u64>().is_err())
        {
            return Err(LoadError::Descriptor {
                path,
                problem: format!("version {version:?} is not semver"),
            });
        }
        let config_schema = text(descriptor.config_schema, "config_schema")?;
        if descriptor.capabilities & CAP_PANIC_UNWIND == 0 {
            return Err(LoadError::NoUnwind { path });
        }
        let plugin = Arc::new(Plugin {
            path,
            sha256: actual,
            descriptor,
            name,
            version,
            config_schema,
        });
        tracing::info!(
            plugin = %plugin.name,
            version = %plugin.version,
            sha256 = %plugin.sha256,
            abi = %format!("{}.{}", descriptor.abi_major, descriptor.abi_minor),
            capabilities = %format!("{:#x}", descriptor.capabilities),
            path = %plugin.path.display(),
            "loaded stage plugin"
        );
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, Arc::clone(&plugin));
        Ok(plugin)
    }

    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its SHA-256, in lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Its configuration schema (JSON Schema text).
    pub fn config_schema(&self) -> &str {
        &self.config_schema
    }

    /// The ABI version it was built for, as `(major, minor)`.
    pub fn abi(&self) -> (u32, u32) {
        (self.descriptor.abi_major, self.descriptor.abi_minor)
    }

    /// Its capability bits (`CAP_*`).
    pub fn capabilities(&self) -> u64 {
        self.descriptor.capabilities
    }

    /// Names of its capabilities.
    pub fn capability_names(&self) -> Vec<&'static str> {
        use commwatch_plugin_abi::{CAP_EMITS_ALERTS, CAP_EMITS_SPANS, CAP_MAY_DROP};
        [
            (CAP_PANIC_UNWIND, "panic-unwind"),
            (CAP_EMITS_SPANS, "emits-spans"),
            (CAP_EMITS_ALERTS, "emits-alerts"),
            (CAP_MAY_DROP, "may-drop"),
        ]
        .into_iter()
        .filter(|(bit, _)| self.descriptor.capabilities & bit != 0)
        .map(|(_, name)| name)
        .collect()
    }

    pub(crate) fn descriptor(&self) -> &'static Descriptor {
        self.descriptor
    }
}

/// Numbers the private copies of loaded plugins, so no two share a name (the dynamic loader
/// treats two loads of one name as the same library).
static LOAD_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A directory only this user can write, private to this process, for copies of plugins.
fn private_copy_dir() -> std::io::Result<PathBuf> {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    if let Some(dir) = DIR.get() {
        return Ok(dir.clone());
    }
    let dir = std::env::temp_dir().join(format!(
        "commwatch-plugins-{}-{}",
        current_uid(),
        std::process::id()
    ));
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = std::fs::symlink_metadata(&dir)?;
            if !meta.is_dir()
                || meta.uid() != current_uid()
                || meta.permissions().mode() & 0o077 != 0
            {
                return Err(std::io::Error::other(format!(
                    "{} exists and is not a private directory",
                    dir.display()
                )));
            }
            // Ours, and named by our pid: what is in it was left by a dead process that had the
            // same pid (one killed before it could clean up), and would collide with our copies.
            for entry in std::fs::read_dir(&dir)? {
                std::fs::remove_file(entry?.path())?;
            }
        }
        Err(e) => return Err(e),
    }
    Ok(DIR.get_or_init(|| dir).clone())
}

fn current_uid() -> u32 {
    // The owner of a file we create is the effective uid; no libc call needed.
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(0)
}

/// The frozen header, read on its own before the rest of the descriptor.
#[repr(C)]
struct Header {
    magic: u64,
    abi_major: u32,
    abi_minor: u32,
    struct_size: u32,
    reserved: u32,
    layout_hash: u64,
}

fn find_descriptor(
    library: &'static Library,
    path: &Path,
) -> Result<&'static Descriptor, LoadError> {
    // SAFETY: the symbol's type is fixed by the ABI major in its name.
    let entry = match unsafe { library.get::<DescriptorFn>(DESCRIPTOR_SYMBOL.as_bytes()) } {
        Ok(entry) => entry,
        Err(_) => {
            // A plugin for another major exports only its own symbol: name the version it wants.
            for major in 2..=9u32 {
                let other = format!("commwatch_stage_descriptor_v{major}");
                // SAFETY: only the symbol's presence is checked; it is not called.
                if unsafe { library.get::<*const ()>(other.as_bytes()) }.is_ok() {
                    return Err(LoadError::AbiMajor {
                        path: path.to_path_buf(),
                        plugin: major,
                    });
                }
            }
            return Err(LoadError::NotAPlugin {
                path: path.to_path_buf(),
            });
        }
    };
    // SAFETY: calling the ABI's entry function, which returns a pointer to static data.
    let ptr = unsafe { entry() };
    let bad = |problem: String| LoadError::Descriptor {
        path: path.to_path_buf(),
        problem,
    };
    if ptr.is_null() {
        return Err(bad("the entry function returned a null pointer".into()));
    }
    if !(ptr as usize).is_multiple_of(std::mem::align_of::<Descriptor>()) {
        return Err(bad(format!(
            "descriptor at {ptr:p} is not aligned to {} bytes",
            std::mem::align_of::<Descriptor>()
        )));
    }
    // SAFETY: aligned, non-null, and every ABI version starts with this header.
    let header = unsafe { std::ptr::read(ptr.cast::<Header>()) };
    if header.magic != MAGIC {
        return Err(bad(format!(
            "magic is {:#018x}, expected {MAGIC:#018x}",
            header.magic
        )));
    }
    if header.abi_major != ABI_MAJOR {
        return Err(LoadError::AbiMajor {
            path: path.to_path_buf(),
            plugin: header.abi_major,
        });
    }
    if header.abi_minor > ABI_MINOR {
        return Err(LoadError::AbiMinor {
            path: path.to_path_buf(),
            plugin_minor: header.abi_minor,
        });
    }
    let needed = std::mem::size_of::<Descriptor>() as u32;
    if header.struct_size < needed {
        return Err(bad(format!(
            "struct_size is {}, ABI {ABI_MAJOR}.0 needs at least {needed}",
            header.struct_size
        )));
    }
    if header.layout_hash != LAYOUT_HASH {
        return Err(LoadError::Layout {
            path: path.to_path_buf(),
            plugin: header.layout_hash,
            host: LAYOUT_HASH,
        });
    }
    let _ = header.reserved;
    // SAFETY: the header checks passed: the plugin lays out a full v1 descriptor, 'static.
    Ok(unsafe { &*ptr })
}
