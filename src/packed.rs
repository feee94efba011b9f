//! Text kept compressed while the build holds it: every page's source, from reading to the end,
//! and its rendered HTML, from the markdown stage until its page is written (and both for as
//! long as `serve` runs). Markdown and HTML compress three to four times with LZ4, which is fast
//! enough (GB/s to unpack) to do each time the text is needed; at 100,000 pages this is
//! gigabytes less at the peak.
//!
//! The compressed bytes are laid one after another in shared blocks of [`BLOCK_BYTES`] (one
//! block filling per thread), not each in an allocation of its own: interleaved with the markdown
//! stage's short-lived allocations of the same sizes, they left the allocator's pages partly
//! used and unusable for larger data (370 MB of the 100,000-page peak). A block is freed with
//! the last text in it.

use std::cell::RefCell;

use bytes::{Bytes, BytesMut};

/// Bytes of a shared block: small enough that a few texts kept across `serve`'s rebuilds keep
/// little else alive, large enough to hold dozens of pages.
const BLOCK_BYTES: usize = 256 * 1024;

thread_local! {
    /// The block this thread is filling.
    static BLOCK: RefCell<BytesMut> = RefCell::new(BytesMut::new());
}

/// UTF-8 text, LZ4-compressed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PackedText(Bytes);

impl PackedText {
    pub(crate) fn pack(text: &str) -> PackedText {
        if text.is_empty() {
            return PackedText::default();
        }
        let packed = lz4_flex::compress_prepend_size(text.as_bytes());
        BLOCK.with(|block| {
            let mut block = block.borrow_mut();
            if block.capacity() - block.len() < packed.len() {
                *block = BytesMut::with_capacity(BLOCK_BYTES.max(packed.len()));
            }
            block.extend_from_slice(&packed);
            PackedText(block.split().freeze())
        })
    }

    pub(crate) fn unpack(&self) -> String {
        if self.0.is_empty() {
            return String::new();
        }
        // Only `pack` makes these bytes, from a `str`: they always decompress to UTF-8.
        let bytes = lz4_flex::decompress_size_prepended(&self.0)
            .expect("packed text decompresses: it was compressed by PackedText::pack");
        String::from_utf8(bytes).expect("packed text is UTF-8: it was packed from a str")
    }

    /// Bytes held.
    #[cfg(test)]
    pub(crate) fn packed_len(&self) -> usize {
        self.0.len()
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
            assert_eq!(PackedText::pack(text).unpack(), text);
        }
        let long = "<li><a href=\"/runbooks/x/\">x</a></li>\n".repeat(1_000);
        assert!(PackedText::pack(&long).packed_len() * 10 < long.len());
    }
}
