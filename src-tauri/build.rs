//! Build script: Tauri's context, and the app's own command list (from `commands.txt`, which
//! the bindings test also checks) so the capability grants exactly those commands.

fn main() {
    println!("cargo:rerun-if-changed=commands.txt");
    let commands: Vec<&'static str> = include_str!("commands.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let commands: &'static [&'static str] = commands.leak();
    if let Err(e) = tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    ) {
        eprintln!("tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
