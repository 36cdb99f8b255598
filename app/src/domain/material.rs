//! Uploaded files of an application: what a file really is (read from its first bytes, never
//! from its name), and the rules for the name it was uploaded under. Plain types, shared by the
//! browser (checks before sending) and the server (the authority).

use serde::{Deserialize, Serialize};

use super::Problem;
use super::catalogue::FileType;

/// The most files one listed material may have (a document of several pages, front and back).
pub const MAX_FILES_PER_MATERIAL: usize = 10;
/// Longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

impl FileType {
    /// The type the content says, from its first bytes: `%PDF-`, the PNG signature, or a JPEG
    /// start-of-image marker. Anything else (an executable or a text renamed `.pdf`) is none.
    pub fn sniff(first_bytes: &[u8]) -> Option<FileType> {
        if first_bytes.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if first_bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if first_bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpg)
        } else {
            None
        }
    }

    /// The bytes [`FileType::sniff`] needs to decide.
    pub const SNIFF_BYTES: usize = 8;

    pub const fn code(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Jpg => "jpg",
            FileType::Png => "png",
        }
    }

    pub fn parse(code: &str) -> Option<FileType> {
        match code {
            "pdf" => Some(FileType::Pdf),
            "jpg" => Some(FileType::Jpg),
            "png" => Some(FileType::Png),
            _ => None,
        }
    }

    pub const fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Jpg => "image/jpeg",
            FileType::Png => "image/png",
        }
    }

    /// The `accept` attribute of a file input for these types.
    pub fn accept_attribute(types: &[FileType]) -> String {
        types
            .iter()
            .map(|file_type| match file_type {
                FileType::Pdf => ".pdf,application/pdf",
                FileType::Jpg => ".jpg,.jpeg,image/jpeg",
                FileType::Png => ".png,image/png",
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The name a file was uploaded under, as shown back to its owner: no path, no control
/// characters, not empty, at most 120 characters. Files are stored under generated keys; the
/// name is only a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileName(String);

impl FileName {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let name = input.trim();
        if name.is_empty() {
            return Err(Problem::Required);
        }
        if name.chars().any(char::is_control) {
            return Err(Problem::ControlCharacters);
        }
        if name.contains(['/', '\\']) || name.contains("..") || name.starts_with('.') {
            return Err(Problem::PathInFileName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Problem::TooLong {
                max: MAX_NAME_CHARS as u32,
            });
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content_not_the_name() {
        assert_eq!(FileType::sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(
            FileType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some(FileType::Png)
        );
        assert_eq!(
            FileType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileType::Jpg)
        );
        // An executable, a script and HTML renamed to .pdf are none of them.
        assert_eq!(FileType::sniff(b"MZ\x90\0\x03\0\0\0"), None);
        assert_eq!(FileType::sniff(b"#!/bin/sh\nrm -rf"), None);
        assert_eq!(FileType::sniff(b"<html><script>"), None);
        assert_eq!(FileType::sniff(b"%PD"), None);
    }

    #[test]
    fn file_names_without_paths_or_control_characters_are_kept() {
        assert_eq!(
            FileName::parse(" 身份证正面.jpg ").map(|name| name.as_str().to_owned()),
            Ok("身份证正面.jpg".into())
        );
        for (bad, problem) in [
            ("../../etc/passwd", Problem::PathInFileName),
            ("..\\boot.ini", Problem::PathInFileName),
            ("a/b.pdf", Problem::PathInFileName),
            (".htaccess", Problem::PathInFileName),
            ("a\u{0}b.pdf", Problem::ControlCharacters),
            ("报告\n.pdf", Problem::ControlCharacters),
            ("   ", Problem::Required),
        ] {
            assert_eq!(FileName::parse(bad), Err(problem), "{bad:?}");
        }
        assert!(matches!(
            FileName::parse(&"长".repeat(121)),
            Err(Problem::TooLong { max: 120 })
        ));
    }
}
