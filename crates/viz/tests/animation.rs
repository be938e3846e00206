//! The pictures of the learning process: hidden-unit heat maps that are σ of the weights, and a
//! GIF that decodes to the frames it was given.

use ndarray::array;
use viz::hidden_units::{HiddenLayer, map_rect, render_hidden_units, unit_image};

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[test]
fn a_units_heat_map_is_its_sigmoid_at_every_sampled_point() {
    let (w1, b1, w2) = (
        array![[3.0, -2.0, 0.0], [1.0, 4.0, -5.0]],
        array![[0.5, -1.0, 0.0]],
        array![[1.0, -3.0], [0.2, 0.1], [-2.0, 0.5]],
    );
    let layer = HiddenLayer {
        w1: w1.view(),
        b1: b1.view(),
        w2: w2.view(),
    };
    assert_eq!(layer.strongest_class(0), (1, -3.0));
    assert_eq!(layer.strongest_class(2), (0, -2.0));
    // Labels say which way a unit moves its class, with the weight's sign, never as -0.
    use viz::hidden_units::unit_label;
    assert_eq!(unit_label(&layer, 0, true), "h0 lowers class 1 (−3.0)");
    assert_eq!(unit_label(&layer, 1, true), "h1 raises class 0 (+0.2)");
    assert_eq!(unit_label(&layer, 2, false), "h2 ↓ class 0 (−2.0)");
    let initial = array![[-0.012, 0.004]];
    let tiny = HiddenLayer {
        w1: w1.slice(ndarray::s![.., ..1]),
        b1: b1.slice(ndarray::s![.., ..1]),
        w2: initial.view(),
    };
    assert_eq!(unit_label(&tiny, 0, true), "h0 lowers class 0 (−0.01)");
    let (w, h) = (50u32, 40u32);
    for j in 0..3 {
        let img = unit_image(&layer, j, -1.0..1.0, -2.0..2.0, (w, h));
        let color = viz::class_color(layer.strongest_class(j).0);
        for (r, c) in [(0, 0), (5, 45), (20, 25), (39, 0), (39, 49), (11, 7)] {
            let x1 = -1.0 + (c as f64 + 0.5) / w as f64 * 2.0;
            let x2 = 2.0 - (r as f64 + 0.5) / h as f64 * 4.0;
            let a = sigmoid(x1 * w1[[0, j]] + x2 * w1[[1, j]] + b1[[0, j]]);
            let px = &img[(r * w as usize + c) * 3..][..3];
            // Each channel is 255 - a * (255 - class colour), a drawn in steps of 0.1: read a off
            // the channel where the class colour is darkest.
            let ch = [color.0, color.1, color.2];
            let k = (0..3).min_by_key(|&k| ch[k]).unwrap();
            let got = (255.0 - px[k] as f64) / (255.0 - ch[k] as f64);
            assert!(
                (got - a).abs() <= 0.05 + 1e-9,
                "unit {j} at ({r}, {c}): {got} vs σ = {a}"
            );
        }
    }
    // The rendered picture holds each unit's map where `map_rect` says.
    let size = (400u32, 300u32);
    let pic = render_hidden_units(&layer, None, -1.0..1.0, -2.0..2.0, size, "units").unwrap();
    for j in 0..3 {
        let (x, y, w, h) = map_rect(size, 3, j);
        let map = unit_image(&layer, j, -1.0..1.0, -2.0..2.0, (w, h));
        for r in 0..h as usize {
            let start = ((y as usize + r) * size.0 as usize + x as usize) * 3;
            let drawn = &pic[start..start + w as usize * 3];
            assert_eq!(
                drawn,
                &map[r * w as usize * 3..][..w as usize * 3],
                "unit {j} row {r}"
            );
        }
    }
}

#[test]
fn a_gif_has_every_frame_at_its_size_and_loops() {
    let size = (64u32, 48u32);
    let frames: Vec<Vec<u8>> = (0..7u8)
        .map(|k| {
            (0..size.0 * size.1)
                .flat_map(|i| [k * 30, (i % 251) as u8, 255 - k * 30])
                .collect()
        })
        .collect();
    let path = std::env::temp_dir().join(format!("dlfs2-anim-{}.gif", std::process::id()));
    viz::write_gif(&path, &frames, size, 10).unwrap();
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(std::fs::File::open(&path).unwrap())
        .unwrap();
    assert_eq!((decoder.width(), decoder.height()), (64, 48));
    let mut n = 0;
    let mut delays = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!((frame.width, frame.height), (64, 48));
        // The first pixel's red channel tells the frames apart (quantized, so within a step).
        let red = frame.buffer[0] as i32;
        assert!((red - n * 30).abs() <= 8, "frame {n}: red {red}");
        delays.push(frame.delay);
        n += 1;
    }
    assert_eq!(n, 7);
    assert_eq!(
        delays,
        [10, 10, 10, 10, 10, 10, 40],
        "the last frame is held longer"
    );
    assert_eq!(decoder.repeat(), gif::Repeat::Infinite);
    assert!(viz::write_gif(&path, &[], size, 10).is_err());
    assert!(viz::write_gif(&path, &[vec![0; 10]], size, 10).is_err());
}
