//! Headers are stored as the bytes of their wire form, `name: value\r\n` per line, so values that
//! are not UTF-8 survive exactly and repeated headers keep their order. HTTP forbids CR and LF in
//! names and values, so the encoding is unambiguous.

use crate::model::Header;

pub fn encode_headers(headers: &[Header]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        headers
            .iter()
            .map(|h| h.name.len() + h.value.len() + 4)
            .sum(),
    );
    for h in headers {
        out.extend_from_slice(h.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(&h.value);
        out.extend_from_slice(b"\r\n");
    }
    out
}

pub fn decode_headers(bytes: &[u8]) -> Vec<Header> {
    bytes
        .split(|b| *b == b'\n')
        .filter_map(|line| {
            let line = line.strip_suffix(b"\r")?;
            let colon = line.windows(2).position(|w| w == b": ")?;
            let name = String::from_utf8_lossy(&line[..colon]).into_owned();
            Some(Header {
                name,
                value: line[colon + 2..].to_vec(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_repeated_and_binary_values() {
        let headers = vec![
            Header::new("x-a", "1"),
            Header::new("x-b", b"\xff\xfe:raw".to_vec()),
            Header::new("x-a", "2"),
            Header::new("x-empty", ""),
        ];
        assert_eq!(decode_headers(&encode_headers(&headers)), headers);
    }
}
