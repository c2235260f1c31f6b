//! What the fuzz targets share: a directory of the fuzzing process, file access confined
//! to it, and the filter for inputs that hang Terraform as much as terrane.

use std::io;
use std::path::{Path, PathBuf};
use terrane_engine::functions::FileAccess;

/// A fresh directory of this process, `<tmp>/terrane-fuzz/<pid>/<name>`; `scripts/fuzz`
/// removes `<tmp>/terrane-fuzz` when it is done.
pub fn process_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("terrane-fuzz")
        .join(std::process::id().to_string())
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the fuzzing directory");
    dir.canonicalize().expect("canonical fuzzing directory")
}

/// File access confined to one directory, so that an input naming `/dev/zero` or
/// `fileset("/", "**")` cannot make the fuzzer read the whole machine.
pub struct ConfinedFiles {
    pub root: &'static Path,
}

impl ConfinedFiles {
    fn confine(&self, path: &Path) -> io::Result<PathBuf> {
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        let real = full.canonicalize()?;
        if real.starts_with(self.root) {
            Ok(real)
        } else {
            Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "outside the fuzzing directory",
            ))
        }
    }
}

impl FileAccess for ConfinedFiles {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(self.confine(path)?)
    }
    fn metadata(&self, path: &Path) -> io::Result<std::fs::Metadata> {
        std::fs::metadata(self.confine(path)?)
    }
    fn read_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        std::fs::read_dir(self.confine(path)?)?
            .map(|e| e.map(|e| e.path()))
            .collect()
    }
}

/// Whether the input writes a number with an exponent of six digits or more (`1e-999999`).
/// Such a number has about as many decimal digits, and printing it takes minutes in
/// Terraform as in terrane: the input hangs, not the program.
pub fn has_huge_exponent(data: &[u8]) -> bool {
    (0..data.len()).any(|i| {
        matches!(data[i], b'e' | b'E') && {
            let rest = &data[i + 1..];
            let rest = rest
                .strip_prefix(b"+")
                .or_else(|| rest.strip_prefix(b"-"))
                .unwrap_or(rest);
            rest.iter().take_while(|b| b.is_ascii_digit()).count() >= 6
        }
    })
}
