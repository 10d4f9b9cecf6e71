//! The type of an upload, read from its bytes: never from the name or the
//! header the client sent, except for plain text, whose kind only the name
//! tells (and which is served so that it cannot run).

/// The media type of a file whose first bytes are `head`, named `name`.
pub fn media_type(head: &[u8], name: &str) -> String {
    // Markup (HTML, XML, SVG) is text here: it is never served as something
    // a browser would run.
    if let Some(kind) = infer::get(head).filter(|k| k.matcher_type() != infer::MatcherType::Text) {
        if kind.mime_type() != "image/svg+xml" {
            return kind.mime_type().to_owned();
        }
    }
    if std::str::from_utf8(head).is_ok() || utf8_cut_short(head) {
        let guessed = mime_guess::from_path(name).first();
        return match guessed {
            Some(m) if m.type_() == mime_guess::mime::TEXT && !is_markup(m.essence_str()) => {
                m.essence_str().to_owned()
            }
            _ => "text/plain".to_owned(),
        };
    }
    "application/octet-stream".to_owned()
}

/// Whether a text type is markup a browser would render (and run).
fn is_markup(essence: &str) -> bool {
    essence.contains("html") || essence.contains("xml") || essence.contains("javascript")
}

/// Whether `head` is UTF-8 but for a character cut at its end.
fn utf8_cut_short(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

/// The width and height of an image of `media_type` whose first bytes are
/// `head`, read from its header (nothing is decoded); `None` for other
/// files and for headers that cannot be read.
pub fn dimensions(head: &[u8], media_type: &str) -> Option<(i32, i32)> {
    if !media_type.starts_with("image/") || media_type == "image/svg+xml" {
        return None;
    }
    let size = imagesize::blob_size(head).ok()?;
    Some((
        i32::try_from(size.width).ok()?,
        i32::try_from(size.height).ok()?,
    ))
}

/// Whether a browser may show a file of `media_type` in place (images,
/// audio, video, PDF); anything else is served as a download.
pub fn shown_inline(media_type: &str) -> bool {
    media_type.starts_with("image/") && media_type != "image/svg+xml"
        || media_type.starts_with("audio/")
        || media_type.starts_with("video/")
        || media_type == "application/pdf"
}

#[cfg(test)]
#[path = "sniff_test.rs"]
mod tests;
