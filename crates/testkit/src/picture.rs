//! PNG files read back as RGB pixels, for the tests that look at the pictures.

use std::path::Path;

/// An RGB picture, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rgb {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` pixels, top row first.
    pub pixels: Vec<[u8; 3]>,
}

impl Rgb {
    /// `(width, height)`.
    pub fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The pixel at column `x`, row `y`.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        self.pixels[(y * self.width + x) as usize]
    }

    /// Every pixel with its column and row.
    pub fn enumerate_pixels(&self) -> impl Iterator<Item = (u32, u32, [u8; 3])> + '_ {
        let w = self.width;
        self.pixels
            .iter()
            .enumerate()
            .map(move |(i, &p)| (i as u32 % w, i as u32 / w, p))
    }
}

/// Decodes the PNG at `path` (8-bit grey, RGB or either with alpha, alpha dropped).
pub fn read_png(path: &Path) -> Result<Rgb, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    read_png_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Decodes a PNG held in memory (a browser's screenshot) to RGB.
pub fn read_png_bytes(bytes: &[u8]) -> Result<Rgb, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("PNG too large")?];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|c| match channels {
            1 | 2 => [c[0]; 3],
            _ => [c[0], c[1], c[2]],
        })
        .collect();
    Ok(Rgb {
        width: info.width,
        height: info.height,
        pixels,
    })
}
