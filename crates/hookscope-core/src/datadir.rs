//! Where Hookscope keeps its data: the OS data dir (`~/.local/share/hookscope` on Linux), or
//! `--data DIR` / `HOOKSCOPE_DATA`. Created private to the user.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The environment variable that overrides the data dir.
pub const DATA_ENV: &str = "HOOKSCOPE_DATA";

/// The data dir to use: an explicit one, else `HOOKSCOPE_DATA`, else the OS data dir.
pub fn resolve(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join("hookscope"))
        .ok_or_else(|| {
            Error::invalid(format!(
                "no data directory for this user; pass --data DIR or set {DATA_ENV}"
            ))
        })
}

/// Create `dir` (and parents) and restrict it to the user (0700 on Unix).
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::StoreUnavailable(format!(
            "cannot create data directory {}: {e}",
            dir.display()
        ))
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
            Error::StoreUnavailable(format!("cannot restrict {}: {e}", dir.display()))
        })?;
    }
    Ok(())
}

/// Restrict the database file and its WAL/SHM companions to the user (0600 on Unix).
pub fn make_private_files(db: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut path = db.as_os_str().to_owned();
            path.push(suffix);
            let path = PathBuf::from(path);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    Ok(())
}
