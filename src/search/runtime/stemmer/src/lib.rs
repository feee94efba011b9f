//! C-ABI wrapper of one of frostem's Snowball stemmers (the feature named by its language's code)
//! for the browser search runtime.
//!
//! The runtime writes a lowercased UTF-8 word at `buffer_ptr()` (at most `buffer_capacity()`
//! bytes), calls `stem(len)`, and reads the stem back from the same place; `stem` returns its
//! length, or `u32::MAX` when the input is not usable (too long, not UTF-8) — the runtime then
//! keeps the word as it is.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

use frostem::{Algorithm, Stemmer};

#[cfg(feature = "ar")]
const ALGORITHM: Algorithm = Algorithm::Arabic;
#[cfg(feature = "da")]
const ALGORITHM: Algorithm = Algorithm::Danish;
#[cfg(feature = "de")]
const ALGORITHM: Algorithm = Algorithm::German;
#[cfg(feature = "el")]
const ALGORITHM: Algorithm = Algorithm::Greek;
#[cfg(feature = "en")]
const ALGORITHM: Algorithm = Algorithm::English;
#[cfg(feature = "es")]
const ALGORITHM: Algorithm = Algorithm::Spanish;
#[cfg(feature = "fi")]
const ALGORITHM: Algorithm = Algorithm::Finnish;
#[cfg(feature = "fr")]
const ALGORITHM: Algorithm = Algorithm::French;
#[cfg(feature = "hu")]
const ALGORITHM: Algorithm = Algorithm::Hungarian;
#[cfg(feature = "it")]
const ALGORITHM: Algorithm = Algorithm::Italian;
#[cfg(feature = "nl")]
const ALGORITHM: Algorithm = Algorithm::Dutch;
#[cfg(feature = "no")]
const ALGORITHM: Algorithm = Algorithm::Norwegian;
#[cfg(feature = "pt")]
const ALGORITHM: Algorithm = Algorithm::Portuguese;
#[cfg(feature = "ro")]
const ALGORITHM: Algorithm = Algorithm::Romanian;
#[cfg(feature = "ru")]
const ALGORITHM: Algorithm = Algorithm::Russian;
#[cfg(feature = "sv")]
const ALGORITHM: Algorithm = Algorithm::Swedish;
#[cfg(feature = "ta")]
const ALGORITHM: Algorithm = Algorithm::Tamil;
#[cfg(feature = "tr")]
const ALGORITHM: Algorithm = Algorithm::Turkish;

/// A bump allocator, emptied at the start of every `stem` call: a word needs a few small strings
/// and nothing outlives the call, and it is far smaller in the module than std's dlmalloc.
struct Arena {
    memory: UnsafeCell<[u8; ARENA_SIZE]>,
    used: UnsafeCell<usize>,
}

/// Room for every string one word's stemming allocates (each at most a few hundred bytes).
const ARENA_SIZE: usize = 64 * 1024;

// SAFETY: wasm32-unknown-unknown without threads: there is one thread.
unsafe impl Sync for Arena {}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded; `used` is only touched here and in `reset`.
        let used = unsafe { &mut *self.used.get() };
        let start = (*used + layout.align() - 1) & !(layout.align() - 1);
        let end = start + layout.size();
        if end > ARENA_SIZE {
            return core::ptr::null_mut();
        }
        *used = end;
        // SAFETY: `start..end` is inside the arena.
        unsafe { self.memory.get().cast::<u8>().add(start) }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}
}

impl Arena {
    fn reset(&self) {
        // SAFETY: called when no allocation from a previous call is alive.
        unsafe { *self.used.get() = 0 };
    }
}

#[global_allocator]
static ARENA: Arena = Arena {
    memory: UnsafeCell::new([0; ARENA_SIZE]),
    used: UnsafeCell::new(0),
};

/// Bytes the runtime may write. Tokens of 40 bytes or more never reach the stemmer (tantivy drops
/// them before lowercasing, and lowercasing makes a 39-byte token at most 58 bytes long).
const INPUT_CAPACITY: usize = 256;
/// The stem can be longer than its word (Snowball may add an `e`), so leave room for it.
const BUFFER_SIZE: usize = 2 * INPUT_CAPACITY;

static mut BUFFER: [u8; BUFFER_SIZE] = [0; BUFFER_SIZE];

/// Where the runtime writes the word and reads the stem.
#[no_mangle]
pub extern "C" fn buffer_ptr() -> *mut u8 {
    // Only a raw pointer is taken: the runtime is the only one that uses the buffer.
    core::ptr::addr_of_mut!(BUFFER).cast::<u8>()
}

/// How many bytes of input `stem` accepts.
#[no_mangle]
pub extern "C" fn buffer_capacity() -> u32 {
    INPUT_CAPACITY as u32
}

/// Stems the `len`-byte word in the buffer in place and returns the stem's length.
#[no_mangle]
pub extern "C" fn stem(len: u32) -> u32 {
    ARENA.reset();
    let len = len as usize;
    if len > INPUT_CAPACITY {
        return u32::MAX;
    }
    // SAFETY: single-threaded, no other reference to the buffer lives during this call.
    let buffer = unsafe { &mut *core::ptr::addr_of_mut!(BUFFER) };
    let Ok(word) = core::str::from_utf8(&buffer[..len]) else {
        return u32::MAX;
    };
    let stemmed = Stemmer::new(ALGORITHM).stem(word).into_owned();
    let bytes = stemmed.as_bytes();
    if bytes.len() > BUFFER_SIZE {
        return u32::MAX;
    }
    buffer[..bytes.len()].copy_from_slice(bytes);
    bytes.len() as u32
}
