//! The book's optimizer classes (`common/optimizer.py`), each a name over [`RuleOptimizer`] with
//! the book's constructor arguments. Their formulas are the [`Rule`] variants of the same name.

use tensor::{Element, Params, Rule, Tensor};

use crate::error::Result;
use crate::optimizer::Optimizer;
use crate::rule_optimizer::RuleOptimizer;

macro_rules! book_optimizers {
    ($($(#[$doc:meta])* $ty:ident($($arg:ident),+) => $rule:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $ty<T: Element>(RuleOptimizer<T>);

        impl<T: Element> $ty<T> {
            /// The optimizer with these hyper-parameters; an invalid one is
            /// [`crate::OptimError::InvalidHyperParameter`].
            pub fn new($($arg: f64),+) -> Result<Self> {
                RuleOptimizer::new($rule).map($ty)
            }
        }

        impl<T: Element> Default for $ty<T> {
            /// The book's defaults ([`tensor::rule::OptimizerKind::book_default`]).
            fn default() -> Self {
                let rule = tensor::rule::OptimizerKind::$ty.book_default();
                $ty(RuleOptimizer::new(rule).expect("the book's defaults are valid"))
            }
        }

        impl<T: Element> Optimizer<T> for $ty<T> {
            fn name(&self) -> &'static str {
                self.0.name()
            }
            fn lr(&self) -> f64 {
                self.0.lr()
            }
            fn update(&mut self, params: &mut dyn Params<T>) -> Result<()> {
                self.0.update(params)
            }
            fn state(&self) -> Vec<(String, &Tensor<T>)> {
                self.0.state()
            }
            fn iterations(&self) -> u64 {
                self.0.iterations()
            }
            fn load_state(&mut self, state: Vec<(String, Tensor<T>)>, iterations: u64) -> Result<()> {
                self.0.load_state(state, iterations)
            }
        }
    )*};
}

book_optimizers! {
    /// SGD, [`Rule::Sgd`]: `W -= lr * dW`. Book default `lr = 0.01`.
    Sgd(lr) => Rule::Sgd { lr };
    /// Momentum SGD, [`Rule::Momentum`]. Book defaults `lr = 0.01`, `momentum = 0.9`.
    Momentum(lr, momentum) => Rule::Momentum { lr, momentum };
    /// Nesterov's accelerated gradient, [`Rule::Nesterov`]. Book defaults `lr = 0.01`,
    /// `momentum = 0.9`.
    Nesterov(lr, momentum) => Rule::Nesterov { lr, momentum };
    /// AdaGrad, [`Rule::AdaGrad`]. Book default `lr = 0.01`.
    AdaGrad(lr) => Rule::AdaGrad { lr };
    /// RMSprop, [`Rule::RmsProp`]. Book defaults `lr = 0.01`, `decay_rate = 0.99`.
    RmsProp(lr, decay_rate) => Rule::RmsProp { lr, decay_rate };
    /// Adam, [`Rule::Adam`]. Book defaults `lr = 0.001`, `beta1 = 0.9`, `beta2 = 0.999`.
    Adam(lr, beta1, beta2) => Rule::Adam { lr, beta1, beta2, t: 1 };
}
