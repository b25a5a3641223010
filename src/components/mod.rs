//! Pieces of the diner's UI, one per file.

pub mod menu_view;

pub use menu_view::MenuView;
