//! How a table's visit (开台) opens: the restaurant's choice.

/// Who opens a table (`--table-visits`). A visit always closes when staff
/// clear the table or settle its bill.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum VisitOpening {
    /// The first scan (or order) at a table opens it: a QR restaurant
    /// where diners seat themselves.
    #[default]
    OnScan,
    /// Staff open each table as they seat the party; until then the
    /// table's code shows the menu but takes no order ("ask staff to open
    /// your table"), so a code photographed by an earlier party cannot
    /// order to a table nobody sits at.
    ByStaff,
}

impl VisitOpening {
    /// Whether a scan (or an order) may open a table with no open visit.
    pub fn scan_opens(self) -> bool {
        self == VisitOpening::OnScan
    }
}

/// How the phones at a table order (`--table-cart`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TableCart {
    /// Each phone keeps its own cart and sends its own orders (加菜 of
    /// the table's visit): what every widget before the shared cart did.
    #[default]
    PerPhone,
    /// Every phone that scanned the table's code edits one cart, and any
    /// of them sends it to the kitchen in rounds (多人点餐, 送厨房).
    Shared,
}
