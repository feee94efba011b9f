//! `opsbook completions` and `opsbook man`: shell completion scripts and man pages, generated at
//! run time from the definitions in cli.rs, so they always describe the binary that prints them.
//! The release archives ship the pages this writes.

use std::path::{Path, PathBuf};

use clap::CommandFactory;

use crate::cli::Cli;

/// The completion script for `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    // Into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "opsbook", &mut script);
    script
}

/// The `opsbook(1)` page, in roff.
pub(crate) fn man_page() -> Vec<u8> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .expect("writing into memory cannot fail");
    page
}

/// Writes `opsbook.1` and `opsbook-COMMAND.1` for each command into `dir` (created when
/// missing); returns the files written. The error names the file that could not be written.
pub(crate) fn man_pages(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    let mut root = Cli::command().disable_help_subcommand(true);
    // Built once so every subcommand has its full name (`opsbook-build`) and version.
    root.build();
    let mut written = Vec::new();
    let commands = std::iter::once(root.clone()).chain(root.get_subcommands().cloned());
    for command in commands.filter(|c| !c.is_hide_set()) {
        let man = clap_mangen::Man::new(command);
        let path = dir.join(man.get_filename());
        let mut page = Vec::new();
        man.render(&mut page)
            .expect("writing into memory cannot fail");
        std::fs::write(&path, page)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
