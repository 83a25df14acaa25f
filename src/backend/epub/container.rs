//! The OCF container (EPUB 3.3 §4): a zip whose first entry is `mimetype`, stored,
//! with no extra field, so its payload sits at byte 38; then `META-INF/container.xml`;
//! then every other file in the order given. Times are fixed and permissions set, so
//! two builds are byte-identical (reproducible-builds.org's zip rules).

use std::io::Write as _;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// `META-INF/container.xml`, pointing at the package document.
pub const CONTAINER_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"#;

/// A zip time from seconds since the Unix epoch (UTC), clamped to the DOS range
/// (1980–2107), which zip cannot go beyond.
pub fn zip_time(unix: i64) -> DateTime {
    let (y, mo, d, h, mi, s) = super::civil(unix);
    let clamped = if y < 1980 {
        (1980, 1, 1, 0, 0, 0)
    } else if y > 2107 {
        (2107, 12, 31, 23, 59, 58)
    } else {
        (y, mo, d, h, mi, s)
    };
    let (y, mo, d, h, mi, s) = clamped;
    DateTime::from_date_and_time(y as u16, mo as u8, d as u8, h as u8, mi as u8, s as u8)
        .unwrap_or_default()
}

/// Zips `files` (path, bytes) after the mimetype and container entries.
pub fn write(
    files: &[(String, Vec<u8>)],
    time: DateTime,
) -> Result<Vec<u8>, zip::result::ZipError> {
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(time)
        .unix_permissions(0o644);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(time)
        .unix_permissions(0o644);
    let mut z = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("mimetype", stored)?;
    z.write_all(b"application/epub+zip")?;
    z.start_file("META-INF/container.xml", deflated)?;
    z.write_all(CONTAINER_XML.as_bytes())?;
    for (path, bytes) in files {
        // Already-compressed images gain nothing from deflate.
        let opts = if path.ends_with(".jpg")
            || path.ends_with(".png")
            || path.ends_with(".webp")
        {
            stored
        } else {
            deflated
        };
        z.start_file(path.as_str(), opts)?;
        z.write_all(bytes)?;
    }
    Ok(z.finish()?.into_inner())
}
