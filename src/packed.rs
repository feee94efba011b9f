//! Text kept while the build holds it: every page's source, from reading to the end, and its
//! rendered HTML, from the markdown stage until its page is written (and both for as long as
//! `serve` runs). In a large handbook the text is LZ4-compressed: markdown and HTML compress three
//! to four times, fast enough (GB/s to unpack) to do each time the text is needed, and at
//! 100,000 pages this is gigabytes less at the peak. Below [`COMPRESS_ABOVE_BYTES`] of markdown
//! the text is kept as it is: compressing and unpacking took about 4% of a 10,000-page build's
//! CPU time, to save some 90 MB.
//!
//! The bytes are laid one after another in shared blocks of [`BLOCK_BYTES`] (one block filling
//! per thread), not each in an allocation of its own: interleaved with the markdown stage's
//! short-lived allocations of the same sizes, they left the allocator's pages partly used and
//! unusable for larger data (370 MB of the 100,000-page peak). A block is freed with the last
//! text in it.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::{Bytes, BytesMut};

/// Bytes of a shared block: small enough that a few texts kept across `serve`'s rebuilds keep
/// little else alive, large enough to hold dozens of pages.
const BLOCK_BYTES: usize = 256 * 1024;

/// Markdown, in all, above which text is kept compressed (the 10,000-page benchmark handbook has
/// 56 MB, the 100,000-page one 557 MB).
pub(crate) const COMPRESS_ABOVE_BYTES: u64 = 160 * 1024 * 1024;

/// Whether [`PackedText::pack`] compresses: set from the size of the handbook being read (one
/// process reads one handbook at a time; a text records how it was kept, so a change between
/// two of `serve`'s builds leaves the older texts readable).
static COMPRESS: AtomicBool = AtomicBool::new(true);

/// Keeps text compressed from now on if a handbook of `markdown_bytes` of markdown needs it.
pub(crate) fn choose_for(markdown_bytes: u64) {
    COMPRESS.store(markdown_bytes > COMPRESS_ABOVE_BYTES, Ordering::Relaxed);
}

thread_local! {
    /// The block this thread is filling.
    static BLOCK: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

/// UTF-8 text, LZ4-compressed in a large handbook (see [`choose_for`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PackedText {
    bytes: Bytes,
    compressed: bool,
}

impl PackedText {
    pub(crate) fn pack(text: &str) -> PackedText {
        PackedText::pack_as(text, COMPRESS.load(Ordering::Relaxed))
    }

    fn pack_as(text: &str, compressed: bool) -> PackedText {
        if text.is_empty() {
            return PackedText::default();
        }
        let packed = compressed.then(|| lz4_flex::compress_prepend_size(text.as_bytes()));
        let bytes = packed.as_deref().unwrap_or(text.as_bytes());
        BLOCK.with(|block| {
            let mut block = block.borrow_mut();
            if block.capacity() - block.len() < bytes.len() {
                *block = BytesMut::with_capacity(BLOCK_BYTES.max(bytes.len()));
            }
            block.extend_from_slice(bytes);
            PackedText {
                bytes: block.split().freeze(),
                compressed,
            }
        })
    }

    pub(crate) fn unpack(&self) -> String {
        if !self.compressed {
            // Only `pack` makes these bytes, from a `str`.
            return String::from_utf8(self.bytes.to_vec()).expect("kept text is UTF-8");
        }
        // Only `pack` makes these bytes, from a `str`: they always decompress to UTF-8.
        let bytes = lz4_flex::decompress_size_prepended(&self.bytes)
            .expect("packed text decompresses: it was compressed by PackedText::pack");
        String::from_utf8(bytes).expect("packed text is UTF-8: it was packed from a str")
    }

    /// Bytes held.
    #[cfg(test)]
    pub(crate) fn packed_len(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::PackedText;

    #[test]
    fn text_comes_back_as_it_went_in() {
        for text in [
            "",
            "a",
            "<p>Zürich — 東京 🚒</p>\n",
            &"<li>row</li>".repeat(10_000),
        ] {
            for compressed in [true, false] {
                assert_eq!(PackedText::pack_as(text, compressed).unpack(), text);
            }
        }
        let long = "<li><a href=\"/runbooks/x/\">x</a></li>\n".repeat(1_000);
        assert!(PackedText::pack_as(&long, true).packed_len() * 10 < long.len());
        assert_eq!(PackedText::pack_as(&long, false).packed_len(), long.len());
    }

    #[test]
    fn only_a_large_handbook_is_kept_compressed() {
        super::choose_for(super::COMPRESS_ABOVE_BYTES + 1);
        assert!(super::COMPRESS.load(super::Ordering::Relaxed));
        super::choose_for(56 * 1024 * 1024);
        assert!(!super::COMPRESS.load(super::Ordering::Relaxed));
    }
}
