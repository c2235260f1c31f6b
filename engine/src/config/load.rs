//! Reading a module directory into a [`Module`].

use super::Module;
use crate::diag::Diagnostics;
use std::path::Path;

/// Loads the module in `dir` (not its children).
pub fn load_module(_dir: &Path) -> (Module, Diagnostics) {
    todo!()
}

/// Loads the module in `dir` and every local child module it calls, recursively.
pub fn load_module_tree(_dir: &Path) -> (Module, Diagnostics) {
    todo!()
}
