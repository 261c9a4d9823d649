//! Loads commwatch stage plugins and runs them as pipeline stages.
//!
//! [`Plugin::load`] opens a plugin file, checks it before first use (ownership and permissions,
//! an optional SHA-256 pin, the ABI version, the layout hash, the panic strategy) and returns a
//! shared handle; the library is never unloaded. [`PluginStage`] is one instance of a plugin,
//! created per worker thread, implementing [`Transform`](commwatch_core::Transform): it lends
//! each event to the plugin as a borrowed view and validates everything the plugin emits. A
//! plugin that errors, panics or emits garbage costs the event (dead-lettered with the reason),
//! never the process.
//!
//! The ABI itself is defined in `commwatch-plugin-abi`; plugin authors use `commwatch-plugin-sdk`.

mod loader;
mod stage;

pub use loader::{LoadError, Plugin};
pub use stage::{MAX_ITEMS_PER_EVENT, MAX_STRING_BYTES, PanicPolicy, PluginStage};
