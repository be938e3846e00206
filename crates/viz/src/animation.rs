//! Frames to a looping GIF (`training.gif`): each frame quantized to its own 256-colour palette.

use std::path::Path;

use crate::error::{Result, VizError};
use crate::style::save;

/// Writes RGB `frames` of `size` as a GIF that loops forever, `delay` hundredths of a second per
/// frame (the last one held four times as long).
pub fn write_gif(path: &Path, frames: &[Vec<u8>], size: (u32, u32), delay: u16) -> Result<()> {
    let bad = |message: String| VizError::Draw {
        path: path.to_path_buf(),
        message,
    };
    let (w, h) = (
        u16::try_from(size.0).map_err(|_| bad("a GIF is at most 65535 pixels wide".into()))?,
        u16::try_from(size.1).map_err(|_| bad("a GIF is at most 65535 pixels high".into()))?,
    );
    if frames.is_empty() {
        return Err(VizError::BadInput("a GIF needs at least one frame".into()));
    }
    if let Some(i) = frames
        .iter()
        .position(|rgb| rgb.len() != size.0 as usize * size.1 as usize * 3)
    {
        return Err(VizError::BadInput(format!("frame {i} is not {w}x{h} RGB")));
    }
    // Quantizing is the slow part: every core takes a share of the frames. Speed 20 of
    // NeuQuant's 1..=30 keeps these flat pictures' colours.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = frames.len().div_ceil(threads);
    let quantized: Vec<gif::Frame<'static>> = std::thread::scope(|s| {
        let handles: Vec<_> = frames
            .chunks(chunk)
            .map(|part| {
                tensor::parallel::spawn_or_here(s, move || {
                    part.iter()
                        .map(|rgb| gif::Frame::from_rgb_speed(w, h, rgb, 20))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    if quantized.len() != frames.len() {
        return Err(bad("a frame could not be quantized".into()));
    }
    let mut bytes = Vec::new();
    {
        let mut encoder =
            gif::Encoder::new(&mut bytes, w, h, &[]).map_err(|e| bad(e.to_string()))?;
        encoder
            .set_repeat(gif::Repeat::Infinite)
            .map_err(|e| bad(e.to_string()))?;
        let last = quantized.len() - 1;
        for (i, mut frame) in quantized.into_iter().enumerate() {
            frame.delay = if i == last { delay * 4 } else { delay };
            encoder
                .write_frame(&frame)
                .map_err(|e| bad(e.to_string()))?;
        }
    }
    save(path, &bytes)
}
