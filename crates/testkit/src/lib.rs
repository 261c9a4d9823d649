//! Test support shared by commwatch's test suites.
//!
//! Plugins are `cdylib`s, which `cargo test` does not build for other crates' tests
//! (cargo#8311). [`rust_plugins`] runs `cargo build -p …` once per test process for the plugin
//! packages a suite needs, into the same target directory the tests were built in (so no
//! dependency is compiled twice); [`c_plugin`] compiles a C plugin with the system `cc` against
//! the generated header. [`example_communiques`] gives benches and tests the bundled example
//! documents, the same ones everywhere.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// The bundled example communiqués (`examples/communiques/*.txt`), in file-name order, as (file
/// name, text) pairs.
pub fn example_communiques() -> Vec<(String, String)> {
    let dir = repo_root().join("examples/communiques");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/communiques")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (
                name,
                std::fs::read_to_string(p).expect("example communiqué"),
            )
        })
        .collect()
}

/// The target directory the running test binary was built in (`<target>/<profile>/deps/<exe>`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .expect("<target>/<profile>/deps/<exe>")
        .to_path_buf()
}

/// Builds the given plugin packages (debug profile) and returns the directory holding their
/// `lib<name>.so` files. Builds run once per package per process, serialized.
pub fn rust_plugins(packages: &[&str]) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let target = target_dir();
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !built.iter().any(|b| b == p))
        .collect();
    if !missing.is_empty() {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.current_dir(repo_root())
            .arg("build")
            .arg("--quiet")
            .arg("--target-dir")
            .arg(&target);
        for p in &missing {
            cmd.arg("-p").arg(p);
        }
        let status = cmd.status().expect("run cargo build for plugins");
        assert!(status.success(), "cargo build {missing:?} failed");
        built.extend(missing.iter().map(|s| s.to_string()));
    }
    target.join("debug")
}

/// The file name of a Rust plugin package's library (`fixture-good` → `libfixture_good.so`).
pub fn plugin_file(package: &str) -> String {
    format!("lib{}.so", package.replace('-', "_"))
}

/// Compiles the C plugin `source` (relative to the repository root) with `defines` into
/// `out_dir/lib<name>.so`, and returns its path.
pub fn c_plugin(source: &str, name: &str, defines: &[&str], out_dir: &Path) -> PathBuf {
    let root = repo_root();
    let out = out_dir.join(format!("lib{name}.so"));
    let mut cmd = Command::new("cc");
    cmd.args([
        "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-I",
    ])
    .arg(root.join("crates/plugin-abi/include"))
    .arg("-o")
    .arg(&out)
    .arg(root.join(source));
    for d in defines {
        cmd.arg(format!("-D{d}"));
    }
    let status = cmd
        .status()
        .expect("run cc (a C compiler is needed for the C plugin tests)");
    assert!(status.success(), "cc {source} failed");
    out
}
