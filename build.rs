//! The default theme and the `init` starter are embedded with include_dir; rebuild when any of
//! their files is added, changed or removed (cargo would otherwise only notice changes to files
//! it already knew).
fn main() {
    println!("cargo:rerun-if-changed=themes");
    println!("cargo:rerun-if-changed=starter");
    println!("cargo:rerun-if-changed=src/search/runtime/opsbook-search.js");
}
