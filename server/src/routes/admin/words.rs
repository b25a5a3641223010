//! Every word the admin pages show, in zh-CN and en (`?lang=en`).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `?lang=` as given; anything but `en` is Chinese, the restaurant's own.
    pub fn from_query(value: Option<&str>) -> Self {
        match value {
            Some(value) if value.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

pub struct Words {
    pub language_name: &'static str,
    pub admin: &'static str,
    pub dashboard: &'static str,
    pub tables: &'static str,
    pub log_out: &'static str,
    pub log_in: &'static str,
    pub token: &'static str,
    pub wrong_token: &'static str,
    pub held_back: &'static str,
    pub login_hint: &'static str,
    pub day: &'static str,
    pub show: &'static str,
    pub previous_day: &'static str,
    pub next_day: &'static str,
    pub no_orders: &'static str,
    pub orders: &'static str,
    pub peak: &'static str,
    pub per_minute: &'static str,
    pub delivery_delay: &'static str,
    pub delivery_delay_hint: &'static str,
    pub delayed: &'static str,
    pub ticket_time: &'static str,
    pub ticket_time_hint: &'static str,
    pub replays: &'static str,
    pub replays_hint: &'static str,
    pub conflicts: &'static str,
    pub conflicts_hint: &'static str,
    pub shed: &'static str,
    pub shed_hint: &'static str,
    pub orders_per_minute: &'static str,
    pub median: &'static str,
    pub slowest: &'static str,
    pub seconds: &'static str,
    pub minutes: &'static str,
    pub count: &'static str,
    pub times_note: &'static str,
    pub table_id: &'static str,
    pub label: &'static str,
    pub seats: &'static str,
    pub add_table: &'static str,
    pub delete: &'static str,
    pub no_tables: &'static str,
    pub print_hint: &'static str,
    pub scan_to_order: &'static str,
    pub qr_code: &'static str,
}

const ZH: Words = Words {
    language_name: "中文",
    admin: "稳单 · 管理",
    dashboard: "高峰看板",
    tables: "桌台与二维码",
    log_out: "退出",
    log_in: "登录",
    token: "管理口令",
    wrong_token: "口令不对，请再试一次。",
    held_back: "这个网络输错口令的次数太多，请等一分钟再试。",
    login_hint: "输入启动服务器时设置的管理口令（--admin-token）。",
    day: "营业日",
    show: "查看",
    previous_day: "← 前一天",
    next_day: "后一天 →",
    no_orders: "这一天没有订单。",
    orders: "订单",
    peak: "最忙的一分钟",
    per_minute: "单/分钟",
    delivery_delay: "送达延迟",
    delivery_delay_hint: "从顾客下单到服务器收到：在顾客手机里排队等网络的订单在这里显现。",
    delayed: "等待超过 1 分钟",
    ticket_time: "出餐时间",
    ticket_time_hint: "从收到订单到厨房标记“已好”。",
    replays: "重复提交已吸收",
    replays_hint: "同一订单的重试，直接回放第一次的答复，没有重复下单。",
    conflicts: "409 正在处理",
    conflicts_hint: "同一订单的第一次请求还没处理完时到达的重试。",
    shed: "503 繁忙退回",
    shed_hint: "服务器满负荷时请顾客的手机稍后重发的请求；订单并未丢失。",
    orders_per_minute: "每分钟订单数",
    median: "中位数",
    slowest: "最慢",
    seconds: "秒",
    minutes: "分钟",
    count: "次",
    times_note: "时间为餐厅当地时间；营业日从凌晨 4 点到次日凌晨 4 点。百分位数取实际值（最近秩法）。",
    table_id: "桌号",
    label: "备注名",
    seats: "座位",
    add_table: "添加或更新桌台",
    delete: "删除",
    no_tables: "还没有桌台。",
    print_hint: "用浏览器的“打印”打印下面的二维码页，每张贴在对应的桌上。",
    scan_to_order: "扫码点餐",
    qr_code: "点餐二维码，桌号",
};

const EN: Words = Words {
    language_name: "English",
    admin: "Wendan · Admin",
    dashboard: "Peak-hour dashboard",
    tables: "Tables & QR codes",
    log_out: "Log out",
    log_in: "Log in",
    token: "Admin token",
    wrong_token: "That token is not right; try again.",
    held_back: "Too many wrong tokens from this network; wait a minute and try again.",
    login_hint: "Enter the admin token the server was started with (--admin-token).",
    day: "Trading day",
    show: "Show",
    previous_day: "← Previous day",
    next_day: "Next day →",
    no_orders: "No orders on this day.",
    orders: "Orders",
    peak: "Busiest minute",
    per_minute: "orders/min",
    delivery_delay: "Delivery delay",
    delivery_delay_hint: "From the diner's tap to the server: orders that waited in a phone's outbox show up here.",
    delayed: "waited over 1 min",
    ticket_time: "Ticket time",
    ticket_time_hint: "From received to marked ready by the kitchen.",
    replays: "Replays absorbed",
    replays_hint: "Retries of an order already taken, answered with its first answer: no duplicates.",
    conflicts: "409 key in use",
    conflicts_hint: "Retries that arrived while the first request of the same order was still being handled.",
    shed: "503 shed",
    shed_hint: "Requests asked to come back later while intake was full; the orders were not lost.",
    orders_per_minute: "Orders per minute",
    median: "median",
    slowest: "slowest",
    seconds: "s",
    minutes: "min",
    count: "requests",
    times_note: "Times are the restaurant's local time; a trading day runs 04:00 to 04:00. Percentiles are real values (nearest rank).",
    table_id: "Table",
    label: "Label",
    seats: "Seats",
    add_table: "Add or update a table",
    delete: "Delete",
    no_tables: "No tables yet.",
    print_hint: "Print this page with your browser's Print to get the QR sheet; stick each code on its table.",
    scan_to_order: "Scan to order",
    qr_code: "Ordering QR code for table",
};
