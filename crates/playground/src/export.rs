//! What a learner takes away from the page: the `cargo xtask chapter1` command that gives the
//! same numbers, the data as a CSV file, and a Python script that runs the book's own classes on
//! the same setting. (The trained `model.safetensors` is [`crate::Session::model_file`].)

use std::fmt::Write as _;

use crate::session::Session;
use crate::settings::{DataKind, Precision};

/// The name the page gives the data it exports, which the command reads.
pub const DATA_FILE: &str = "playground-data.csv";

/// The command that trains this setting for the epochs completed so far (at least one) and
/// gives the page's numbers: the same data (the book's spiral by its seed, any other data from
/// the exported CSV), split, network, optimizer, batches and stream.
pub fn command(s: &Session) -> String {
    let c = &s.settings;
    let epochs = s.status().epoch.max(1);
    let mut cmd = format!(
        "cargo xtask chapter1 --seed {} --hidden-size {} --optimizer {} --lr {:?} --batch-size {} --max-epoch {epochs}",
        c.seed,
        c.hidden,
        c.optimizer.as_str(),
        c.lr,
        c.batch
    );
    if let Some(g) = c.max_grad {
        let _ = write!(cmd, " --max-grad {g:?}");
    }
    if c.val_split > 0.0 {
        let _ = write!(cmd, " --val-split {:?}", c.val_split);
    }
    if c.precision == Precision::F32 {
        cmd.push_str(" --precision f32");
    }
    if !c.is_book_spiral() {
        let _ = write!(cmd, " --data {DATA_FILE}");
    }
    cmd
}

/// Every point (held-out ones too: the command splits them off again) as `x1,x2,label`, each
/// coordinate in Rust's shortest round-trip form, so the file reads back to the same bits.
pub fn data_csv(s: &Session) -> String {
    let d = &s.data;
    let mut text = String::from("x1,x2,label\n");
    for (row, label) in d.all_x.rows().into_iter().zip(&d.all_labels) {
        let _ = writeln!(text, "{:?},{:?},{label}", row[0], row[1]);
    }
    text
}

/// A Python script that runs this setting with the book's own code
/// (`deep-learning-from-scratch-2`, from its `ch01` folder): its `Trainer`, `TwoLayerNet` and
/// optimizers, on the same data, split and random stream, for the epochs trained so far.
pub fn python_script(s: &Session) -> String {
    let c = &s.settings;
    let epochs = s.status().epoch.max(1);
    let class = match c.optimizer.as_str() {
        "sgd" => "SGD",
        "momentum" => "Momentum",
        "nesterov" => "Nesterov",
        "adagrad" => "AdaGrad",
        "rmsprop" => "RMSprop",
        _ => "Adam",
    };
    let mut py = String::from(
        "# The playground's setting with the book's own code. Run it from the ch01 folder of\n\
         # deep-learning-from-scratch-2 (python3 this_script.py).\n\
         import sys\nsys.path.append('..')\nimport math\nimport numpy as np\n\
         from common.optimizer import SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam\n\
         from common.trainer import Trainer\nfrom two_layer_net import TwoLayerNet\n\n",
    );
    let _ = writeln!(py, "seed = {}", c.seed);
    if c.is_book_spiral() {
        py.push_str("from dataset import spiral\nx, t = spiral.load_data(seed)  # also seeds numpy's stream\n");
    } else {
        let _ = writeln!(
            py,
            "data = np.loadtxt('{DATA_FILE}', delimiter=',', skiprows=1)  # exported by the page"
        );
        let _ = writeln!(
            py,
            "x = data[:, :2]\nlabels = data[:, 2].astype(int)\nt = np.eye({})[labels]\nnp.random.seed(seed)",
            s.data.classes
        );
    }
    if c.val_split > 0.0 {
        let _ = writeln!(
            py,
            "# The validation split of `--val-split`: a stream of its own, each class shuffled, the first\n\
             # round(n * {f:?}) of it held out.\n\
             split = np.random.RandomState(seed)\nheld = np.zeros(len(x), dtype=bool)\n\
             for c in range(t.shape[1]):\n    members = np.flatnonzero(t.argmax(axis=1) == c)\n    split.shuffle(members)\n\
             \x20   take = min(int(math.floor(len(members) * {f:?} + 0.5)), len(members) - 1)\n    held[members[:take]] = True\n\
             x, t = x[~held], t[~held]",
            f = c.val_split
        );
    }
    let _ = writeln!(
        py,
        "\nmodel = TwoLayerNet(input_size=2, hidden_size={}, output_size=t.shape[1])\n\
         optimizer = {class}(lr={:?})\ntrainer = Trainer(model, optimizer)\n\
         trainer.fit(x, t, max_epoch={epochs}, batch_size={}, max_grad={}, eval_interval=10)\n\
         print('last loss', trainer.loss_list[-1])",
        c.hidden,
        c.lr,
        c.batch,
        c.max_grad.map_or("None".to_string(), |g| format!("{g:?}"))
    );
    if c.precision == Precision::F32 {
        py.push_str("# The page trains in float32; this script runs the book's float64.\n");
    }
    if c.data == DataKind::Csv {
        py.push_str("# The data is the CSV file you dropped on the page, exported as above.\n");
    }
    py
}
