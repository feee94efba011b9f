//! `opsbook.toml` as anyone may write it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use opsbook::config::Config;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = Config::parse(text);
    }
});
