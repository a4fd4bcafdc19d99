//! Decoded views of bodies for display and search. Bodies are always stored as sent; a
//! `Content-Encoding` (gzip, deflate, br, or several) is undone here, with an output cap so a
//! decompression bomb cannot exhaust memory.

use std::io::Read;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub bytes: Vec<u8>,
    /// The output hit the cap; `bytes` holds the first `cap` bytes.
    pub truncated: bool,
    /// The encodings undone, in the order they were undone.
    pub undone: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("unsupported content-encoding {0:?}")]
    Unsupported(String),
    #[error("the body is not valid {encoding}: {reason}")]
    Corrupt { encoding: String, reason: String },
}

/// Undo `content_encoding` (as in the header: `gzip`, `br`, `gzip, br`…), at most `cap` bytes.
pub fn decode(
    content_encoding: Option<&str>,
    body: &[u8],
    cap: usize,
) -> Result<Decoded, DecodeError> {
    let encodings: Vec<String> = content_encoding
        .unwrap_or("")
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
        .collect();
    if encodings.is_empty() {
        let keep = body.len().min(cap);
        return Ok(Decoded {
            bytes: body[..keep].to_vec(),
            truncated: keep < body.len(),
            undone: Vec::new(),
        });
    }
    let mut bytes = body.to_vec();
    let mut truncated = false;
    let mut undone = Vec::new();
    // Encodings are listed in the order they were applied: undo them last first.
    for encoding in encodings.iter().rev() {
        let (out, cut) = undo(encoding, &bytes, cap)?;
        bytes = out;
        truncated |= cut;
        undone.push(encoding.clone());
        if cut {
            break;
        }
    }
    Ok(Decoded {
        bytes,
        truncated,
        undone,
    })
}

fn undo(encoding: &str, input: &[u8], cap: usize) -> Result<(Vec<u8>, bool), DecodeError> {
    let corrupt = |e: std::io::Error| DecodeError::Corrupt {
        encoding: encoding.to_string(),
        reason: e.to_string(),
    };
    match encoding {
        "gzip" | "x-gzip" => {
            read_capped(flate2::read::MultiGzDecoder::new(input), cap).map_err(corrupt)
        }
        // "deflate" is zlib-wrapped per the RFC, but some senders use raw deflate.
        "deflate" => read_capped(flate2::read::ZlibDecoder::new(input), cap)
            .or_else(|_| read_capped(flate2::read::DeflateDecoder::new(input), cap))
            .map_err(corrupt),
        "br" => read_capped(brotli::Decompressor::new(input, 4096), cap).map_err(corrupt),
        other => Err(DecodeError::Unsupported(other.to_string())),
    }
}

fn read_capped(reader: impl Read, cap: usize) -> std::io::Result<(Vec<u8>, bool)> {
    let mut out = Vec::new();
    reader.take(cap as u64 + 1).read_to_end(&mut out)?;
    let truncated = out.len() > cap;
    out.truncate(cap);
    Ok((out, truncated))
}

/// The body's text for the search index: decoded, capped, and only when it is UTF-8 text.
pub fn search_text(content_encoding: Option<&str>, body: &[u8], cap: usize) -> Option<String> {
    let decoded = decode(content_encoding, body, cap).ok()?;
    match String::from_utf8(decoded.bytes) {
        Ok(text) => Some(text),
        // A cap can cut a multi-byte character: keep the valid prefix.
        Err(e) if decoded.truncated => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).ok()
        }
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn undoes_gzip_deflate_and_brotli() {
        let text = b"{\"hello\":\"world\"}";
        assert_eq!(decode(Some("gzip"), &gzip(text), 1024).unwrap().bytes, text);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text).unwrap();
        assert_eq!(
            decode(Some("deflate"), &z.finish().unwrap(), 1024)
                .unwrap()
                .bytes,
            text
        );
        let mut br = Vec::new();
        brotli::CompressorWriter::new(&mut br, 4096, 5, 22)
            .write_all(text)
            .unwrap();
        assert_eq!(decode(Some("br"), &br, 1024).unwrap().bytes, text);
    }

    #[test]
    fn undoes_stacked_encodings_in_reverse() {
        let text = b"stacked";
        let twice = gzip(&gzip(text));
        let d = decode(Some("gzip, gzip"), &twice, 1024).unwrap();
        assert_eq!((d.bytes.as_slice(), d.undone.len()), (&text[..], 2));
    }

    #[test]
    fn caps_a_decompression_bomb() {
        let bomb = gzip(&vec![0u8; 10 * 1024 * 1024]);
        let d = decode(Some("gzip"), &bomb, 4096).unwrap();
        assert!(d.truncated);
        assert_eq!(d.bytes.len(), 4096);
    }

    #[test]
    fn corrupt_and_unknown_encodings_are_errors() {
        assert!(matches!(
            decode(Some("gzip"), b"not gzip", 10),
            Err(DecodeError::Corrupt { .. })
        ));
        assert!(matches!(
            decode(Some("zstd"), b"x", 10),
            Err(DecodeError::Unsupported(_))
        ));
    }

    #[test]
    fn search_text_skips_binary() {
        assert_eq!(search_text(None, b"plain", 100).as_deref(), Some("plain"));
        assert_eq!(search_text(None, b"\xff\xfe", 100), None);
        assert_eq!(
            search_text(None, "héllo".as_bytes(), 2).as_deref(),
            Some("h")
        );
    }
}
