//! Image versions by URL suffix, as Hydrogen's apps write them after a
//! file's path: `!/fw/200` (width), `!/fh/200` (height), `!/fwfh/400x300`
//! (within a box), `!/both/400x400` (filling a box, centre-cropped),
//! `!/sq/100` (a square), `!/format/webp`, `!/quality/80` — combined in one
//! suffix, e.g. `!/fw/200/format/webp`. Anything else is refused.
//!
//! A version is made on first request and kept beside the file. The work is
//! bounded: sources of at most [`MAX_SOURCE_BYTES`] and [`MAX_SOURCE_PIXELS`]
//! (checked on the stored size and the header's dimensions before anything
//! is decoded, and again by the decoder's own limits), outputs no larger than
//! the source nor than [`MAX_SIDE`] a side, and a few versions made at once.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use crate::domain::InvalidInput;

/// Largest source file a version is made of.
pub const MAX_SOURCE_BYTES: i64 = 32 * 1024 * 1024;

/// Most pixels of a source image (a 40-megapixel photo).
pub const MAX_SOURCE_PIXELS: i64 = 40_000_000;

/// Longest side of a version.
const MAX_SIDE: u32 = 4096;

/// How a version is sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resize {
    /// `fw/W`: W wide, height in proportion.
    Width(u32),
    /// `fh/H`: H tall, width in proportion.
    Height(u32),
    /// `fwfh/WxH`: within W×H, in proportion.
    Within(u32, u32),
    /// `both/WxH`: exactly W×H, scaled to fill and centre-cropped.
    Fill(u32, u32),
    /// `sq/N`: an N×N square, scaled to fill and centre-cropped.
    Square(u32),
}

/// The format a version is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "jpg" | "jpeg" => Self::Jpeg,
            "png" => Self::Png,
            "webp" => Self::Webp,
            "gif" => Self::Gif,
            _ => return None,
        })
    }

    fn of_media_type(media_type: &str) -> Option<Self> {
        Some(match media_type {
            "image/jpeg" => Self::Jpeg,
            "image/png" => Self::Png,
            "image/webp" => Self::Webp,
            "image/gif" => Self::Gif,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    /// The media type a version in this format is served as.
    fn media_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }
}

/// A version asked for by a URL suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSpec {
    resize: Option<Resize>,
    format: Option<Format>,
    quality: Option<u8>,
}

/// A made version: its bytes and media type.
#[derive(Debug, Clone)]
pub struct Version {
    /// The encoded image.
    pub bytes: Vec<u8>,
    /// Its media type.
    pub media_type: &'static str,
}

fn refuse(rule: impl Into<String>) -> InvalidInput {
    InvalidInput::new("image version", rule)
}

fn side(raw: &str) -> Result<u32, InvalidInput> {
    raw.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_SIDE).contains(n))
        .ok_or_else(|| refuse(format!("'{raw}' is not a size from 1 to {MAX_SIDE} pixels")))
}

fn pair(raw: &str) -> Result<(u32, u32), InvalidInput> {
    let (w, h) = raw
        .split_once('x')
        .ok_or_else(|| refuse(format!("'{raw}' is not WIDTHxHEIGHT")))?;
    Ok((side(w)?, side(h)?))
}

impl VersionSpec {
    /// Parses the part of a path after `!`, e.g. `/fw/200/format/webp`.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let parts: Vec<&str> = raw.trim_matches('/').split('/').collect();
        if !parts.len().is_multiple_of(2) || parts.len() > 6 {
            return Err(refuse(
                "write operations and their values in pairs, e.g. !/fw/200/format/webp",
            ));
        }
        let mut spec = Self {
            resize: None,
            format: None,
            quality: None,
        };
        for op in parts.chunks(2) {
            let (name, value) = (op[0], op[1]);
            let resize = match name {
                "fw" => Some(Resize::Width(side(value)?)),
                "fh" => Some(Resize::Height(side(value)?)),
                "fwfh" => pair(value).map(|(w, h)| Some(Resize::Within(w, h)))?,
                "both" => pair(value).map(|(w, h)| Some(Resize::Fill(w, h)))?,
                "sq" => Some(Resize::Square(side(value)?)),
                "format" => {
                    spec.format = Some(Format::parse(value).ok_or_else(|| {
                        refuse(format!("format '{value}': use jpg, png, webp or gif"))
                    })?);
                    None
                }
                "quality" => {
                    spec.quality = Some(
                        value
                            .parse::<u8>()
                            .ok()
                            .filter(|q| (1..=100).contains(q))
                            .ok_or_else(|| refuse(format!("quality '{value}': 1 to 100")))?,
                    );
                    None
                }
                other => {
                    return Err(refuse(format!(
                        "'{other}' is not served: use fw, fh, fwfh, both, sq, format or quality"
                    )))
                }
            };
            if let Some(r) = resize {
                if spec.resize.replace(r).is_some() {
                    return Err(refuse("one resize per version"));
                }
            }
        }
        Ok(spec)
    }

    /// A name for the version made of a file, unique per spec: letters,
    /// digits and dots only.
    pub fn key(&self) -> String {
        let resize = match self.resize {
            None => "orig".to_owned(),
            Some(Resize::Width(w)) => format!("fw{w}"),
            Some(Resize::Height(h)) => format!("fh{h}"),
            Some(Resize::Within(w, h)) => format!("fwfh{w}x{h}"),
            Some(Resize::Fill(w, h)) => format!("both{w}x{h}"),
            Some(Resize::Square(n)) => format!("sq{n}"),
        };
        let format = self.format.map_or("same", Format::name);
        let quality = self
            .quality
            .map_or_else(|| "q".to_owned(), |q| format!("q{q}"));
        format!("{resize}.{format}.{quality}")
    }

    /// Checks that a file of `media_type`, `size` bytes and `dimensions` can
    /// be made into a version, before any of it is read.
    pub fn check_source(
        media_type: &str,
        size: i64,
        dimensions: Option<(i64, i64)>,
    ) -> Result<(), InvalidInput> {
        if Format::of_media_type(media_type).is_none() {
            return Err(refuse(
                "versions are made of JPEG, PNG, WebP and GIF images only",
            ));
        }
        if size > MAX_SOURCE_BYTES {
            return Err(refuse(format!(
                "versions are made of images up to {} MiB",
                MAX_SOURCE_BYTES / 1024 / 1024
            )));
        }
        match dimensions {
            Some((w, h)) if w.saturating_mul(h) <= MAX_SOURCE_PIXELS => Ok(()),
            Some((w, h)) => Err(refuse(format!(
                "the image is {w}×{h} pixels; versions are made of images up to {} megapixels",
                MAX_SOURCE_PIXELS / 1_000_000
            ))),
            None => Err(refuse("the image's size could not be read")),
        }
    }

    /// The media type of this version of an image of `media_type`.
    pub fn media_type_for(&self, media_type: &str) -> &'static str {
        self.format
            .or_else(|| Format::of_media_type(media_type))
            .unwrap_or(Format::Jpeg)
            .media_type()
    }

    /// Makes the version of `source`, an image of `media_type` (blocking
    /// work: run it off the async threads).
    pub fn render(&self, source: &[u8], media_type: &str) -> Result<Version, InvalidInput> {
        let unreadable = || refuse("the file could not be read as an image");
        let mut reader = ImageReader::new(Cursor::new(source))
            .with_guessed_format()
            .map_err(|_| unreadable())?;
        let mut limits = Limits::default();
        limits.max_image_width = Some(20_000);
        limits.max_image_height = Some(20_000);
        limits.max_alloc = Some(512 * 1024 * 1024);
        reader.limits(limits);
        let image = reader.decode().map_err(|_| unreadable())?;
        let resized = self.resized(&image);
        let format = self
            .format
            .or_else(|| Format::of_media_type(media_type))
            .unwrap_or(Format::Jpeg);
        let mut bytes = Vec::new();
        let written = match format {
            Format::Jpeg => {
                let quality = self.quality.unwrap_or(85);
                let encoder =
                    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
                resized.to_rgb8().write_with_encoder(encoder)
            }
            Format::Png => resized.write_to(Cursor::new(&mut bytes), ImageFormat::Png),
            Format::Webp => resized
                .to_rgba8()
                .write_with_encoder(image::codecs::webp::WebPEncoder::new_lossless(&mut bytes)),
            Format::Gif => resized.write_to(Cursor::new(&mut bytes), ImageFormat::Gif),
        };
        written.map_err(|_| refuse("the version could not be written"))?;
        Ok(Version {
            bytes,
            media_type: format.media_type(),
        })
    }

    /// `image` sized as asked, never larger than it was.
    fn resized(&self, image: &DynamicImage) -> DynamicImage {
        let (w, h) = (image.width(), image.height());
        let filter = FilterType::Triangle;
        match self.resize {
            None => image.clone(),
            Some(Resize::Width(nw)) => image.resize(nw.min(w), h, filter),
            Some(Resize::Height(nh)) => image.resize(w, nh.min(h), filter),
            Some(Resize::Within(nw, nh)) => image.resize(nw.min(w), nh.min(h), filter),
            Some(Resize::Fill(nw, nh)) => image.resize_to_fill(nw.min(w), nh.min(h), filter),
            Some(Resize::Square(n)) => {
                let n = n.min(w).min(h);
                image.resize_to_fill(n, n, filter)
            }
        }
    }
}

#[cfg(test)]
#[path = "image_versions_test.rs"]
mod tests;
