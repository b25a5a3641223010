//! Pieces of the diner's UI, one per file.

pub mod cart_panel;
pub mod item_dialog;
pub mod menu_view;
pub mod orders_view;
pub mod payment_step;
pub mod status_line;
pub mod table_bill;
pub mod table_cart;
pub mod table_service;

pub use cart_panel::CartPanel;
pub use item_dialog::ItemDialog;
pub use menu_view::MenuView;
pub use orders_view::OrdersView;
pub use payment_step::PaymentStep;
pub use status_line::StatusLine;
pub use table_bill::TableBillView;
pub use table_cart::TableCartView;
pub use table_service::TableService;
