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
