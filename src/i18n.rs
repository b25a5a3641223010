//! Every word the widget shows, in zh-CN and en.
//!
//! An exhaustive `match` per message rather than leptos_i18n: two languages,
//! a missing translation is a compile error, and no build-time code
//! generation or runtime bundles add to the wasm a diner downloads.

use wendan_outbox::Stage;
use wendan_protocol::{OrderStatus, ProblemType};

use crate::errors::{ApiError, PlaceError, StoreError};
use crate::language::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    Loading,
    Cart,
    CartEmpty,
    Total,
    Add,
    SoldOut,
    Required,
    Optional,
    ChooseUpTo,
    Note,
    OrderNote,
    Quantity,
    Remove,
    Checkout,
    Review,
    Back,
    PlaceOrder,
    DineInAtTable,
    PickupName,
    MyOrders,
    NoOrders,
    Reference,
    PlacedAt,
    Online,
    Offline,
    WaitingToSend,
    MenuUpdated,
    StorageFallback,
    Close,
    Categories,
    EditAndSendAgain,
    ConfirmNewTotal,
    OrderAgain,
    Language,
    UpdateAvailable,
    ReadyBanner,
    NotifyMe,
}

/// Looks a message up in `language`.
pub fn t(language: Language, msg: Msg) -> &'static str {
    let (zh, en) = match msg {
        Msg::Loading => ("正在加载菜单…", "Loading the menu…"),
        Msg::Cart => ("购物车", "Cart"),
        Msg::CartEmpty => ("购物车是空的", "Your cart is empty"),
        Msg::Total => ("合计", "Total"),
        Msg::Add => ("加入", "Add"),
        Msg::SoldOut => ("已售罄", "Sold out"),
        Msg::Required => ("必选", "Required"),
        Msg::Optional => ("可选", "Optional"),
        Msg::ChooseUpTo => ("最多选", "Choose up to"),
        Msg::Note => ("备注", "Note"),
        Msg::OrderNote => ("整单备注", "Note for the whole order"),
        Msg::Quantity => ("数量", "Quantity"),
        Msg::Remove => ("删除", "Remove"),
        Msg::Checkout => ("去结算", "Checkout"),
        Msg::Review => ("确认订单", "Review your order"),
        Msg::Back => ("返回", "Back"),
        Msg::PlaceOrder => ("下单", "Place order"),
        Msg::DineInAtTable => ("堂食 · 桌号", "Dine in · table"),
        Msg::PickupName => ("取餐人姓名", "Name for pickup"),
        Msg::MyOrders => ("我的订单", "My orders"),
        Msg::NoOrders => ("还没有订单", "No orders yet"),
        Msg::Reference => ("订单编号", "Reference"),
        Msg::PlacedAt => ("下单时间", "Placed at"),
        Msg::Online => ("已联网", "Online"),
        Msg::Offline => (
            "没有网络：订单会保存在手机上，联网后自动发送",
            "Offline: orders are kept on this phone and sent when the network is back",
        ),
        Msg::WaitingToSend => ("个订单等待发送", "order(s) waiting to send"),
        Msg::MenuUpdated => ("菜单更新于", "Menu last updated"),
        Msg::StorageFallback => (
            "此浏览器无法使用 IndexedDB，订单暂存在本地存储中",
            "This browser blocks IndexedDB; orders are kept in local storage instead",
        ),
        Msg::Close => ("关闭", "Close"),
        Msg::Categories => ("菜品分类", "Categories"),
        Msg::EditAndSendAgain => ("修改后重新下单", "Edit and send again"),
        Msg::ConfirmNewTotal => ("确认新价格并下单", "Confirm the new total"),
        Msg::OrderAgain => ("再来一单", "Order again"),
        Msg::Language => ("English", "中文"),
        Msg::UpdateAvailable => ("有新版本，点击刷新", "New version available — reload"),
        Msg::ReadyBanner => (
            "您的餐好了，请取餐！",
            "Your order is ready — please collect it!",
        ),
        Msg::NotifyMe => ("好了通知我", "Notify me when it is ready"),
    };
    match language {
        Language::ZhCn => zh,
        Language::En => en,
    }
}

/// Where an order is, in words (`OutboxEntry::stage`). Exhaustive: a new
/// stage or order status does not compile until it has a word.
pub fn state_text(language: Language, stage: Stage) -> &'static str {
    let (zh, en) = match stage {
        Stage::Saved => (
            "已保存在手机上，等待网络",
            "Saved on this phone, waiting for network",
        ),
        Stage::Sending => ("正在发送…", "Sending…"),
        Stage::AtRestaurant(status) => match status {
            OrderStatus::Received => ("餐厅已收到", "Received by the restaurant"),
            OrderStatus::Preparing => ("正在制作", "Preparing"),
            OrderStatus::Ready => ("可以取餐了", "Ready"),
            OrderStatus::Completed => ("已完成", "Completed"),
            OrderStatus::Cancelled => ("已取消", "Cancelled"),
        },
        Stage::Rejected => ("餐厅未接受", "Not accepted"),
        Stage::PriceChanged => ("价格有变动", "Prices changed"),
        Stage::Expired => ("订单已过期，未发送", "Expired: too old to send"),
    };
    match language {
        Language::ZhCn => zh,
        Language::En => en,
    }
}

/// What went wrong with the phone's storage, in the diner's language: what
/// happened and what it means for their orders.
pub fn store_error_text(language: Language, error: &StoreError) -> String {
    let (zh, en) = match error {
        StoreError::Unavailable(_) => (
            "此浏览器无法保存数据：请勿关闭本页，直到订单显示“已收到”",
            "This browser cannot save anything: keep this page open until your order shows as received",
        ),
        StoreError::Quota => (
            "手机存储空间已满，无法保存。请清理空间后再试；购物车仍在本页中",
            "This phone's storage is full, so nothing could be saved. Free some space and try again; your cart is still on this page",
        ),
        StoreError::Corrupt { .. } => (
            "有一条记录无法读取，已单独保存，其余订单不受影响",
            "One saved record could not be read; it was set aside and your other orders are unaffected",
        ),
        StoreError::AlreadyPlaced => ("这份订单已经保存过了", "This order is already saved"),
        StoreError::CartChanged => (
            "购物车已在别处更改（可能在另一个标签页下单），请再检查一下",
            "The cart changed elsewhere (perhaps ordered in another tab); please check it again",
        ),
        StoreError::Encode(_) | StoreError::Failed(_) => {
            ("保存失败，请再试一次", "Saving failed; please try again")
        }
    };
    let text = if language == Language::ZhCn { zh } else { en };
    // The technical cause stays visible for support, after the explanation.
    format!("{text} ({error})")
}

/// Why "Place order" saved nothing, in the diner's language.
pub fn place_error_text(language: Language, error: &PlaceError) -> String {
    let (zh, en) = match error {
        PlaceError::Store(store) => return store_error_text(language, store),
        PlaceError::NoStorage => (
            "手机存储尚未就绪，请稍候再下单",
            "This phone's storage is not ready yet; please try again in a moment",
        ),
        PlaceError::NoMenu => (
            "菜单尚未加载，请联网后再下单",
            "The menu has not loaded yet; connect to the internet and try again",
        ),
        PlaceError::NoRandomSource => (
            "此浏览器无法生成订单编号，请换用其他浏览器",
            "This browser cannot make an order number; please use another browser",
        ),
    };
    let text = if language == Language::ZhCn { zh } else { en };
    format!("{text} ({error})")
}

/// Why the menu could not be loaded, and whether the diner is looking at
/// the last one saved on the phone (then ordering still works).
pub fn menu_error_text(language: Language, error: &ApiError, showing_saved: bool) -> String {
    let (zh, en) = if showing_saved {
        (
            "暂时无法获取最新菜单，显示的是上次保存的菜单",
            "The latest menu could not be loaded; this is the last menu saved",
        )
    } else {
        (
            "菜单暂时无法加载，请稍后刷新页面",
            "The menu could not be loaded; please reload the page in a moment",
        )
    };
    let text = if language == Language::ZhCn { zh } else { en };
    format!("{text} ({error})")
}

/// Why the restaurant refused an order, in the diner's language.
pub fn problem_text(language: Language, kind: Option<ProblemType>) -> &'static str {
    use ProblemType::*;
    let (zh, en) = match kind {
        Some(InvalidOrder) => ("订单内容有误", "Something in the order cannot be made"),
        Some(RestaurantClosed) => ("餐厅暂不接单", "The restaurant is not taking orders now"),
        Some(MenuChanged) => ("菜品价格已变动", "Prices have changed since you ordered"),
        Some(OrderExpired) => ("订单等待太久，已过期", "The order waited too long to send"),
        Some(IdempotencyKeyReused) => ("订单重复", "This order conflicts with another"),
        _ => ("餐厅拒绝了这个订单", "The restaurant refused this order"),
    };
    match language {
        Language::ZhCn => zh,
        Language::En => en,
    }
}

/// A line-level problem code (`FieldError::code`), in the diner's language.
pub fn violation_text(language: Language, code: &str) -> &'static str {
    let (zh, en) = match code {
        "sold_out" => ("已售罄", "sold out"),
        "unknown_item" | "unknown_option" => ("已下架", "no longer on the menu"),
        "qty_out_of_range" => ("数量不正确", "quantity not allowed"),
        "too_few_options" => ("缺少必选项", "a required choice is missing"),
        "too_many_options" => ("选项过多", "too many choices"),
        "note_too_long" => ("备注太长", "note too long"),
        "table_missing" => ("缺少桌号", "table missing"),
        "unknown_table" => (
            "没有这个桌号，请重新扫描桌上的二维码",
            "no such table: scan the code on your table again",
        ),
        "table_not_allowed" => ("自取订单不需要桌号", "a pickup order has no table"),
        "pickup_name_missing" => ("缺少取餐人姓名", "pickup name missing"),
        "pickup_name_not_allowed" => (
            "堂食订单不需要取餐人姓名",
            "a dine-in order has no pickup name",
        ),
        "device_id_invalid" => (
            "此设备标识无效，请刷新页面",
            "this phone's id is not valid: reload the page",
        ),
        "sent_before_created" | "device_clock_wrong" => (
            "手机时间不正确，请在设置中开启自动设置时间",
            "this phone's clock is wrong: set the time automatically in its settings",
        ),
        _ => ("有误", "not accepted"),
    };
    match language {
        Language::ZhCn => zh,
        Language::En => en,
    }
}

/// Dietary tags and allergens, by code.
pub fn tag_text(language: Language, code: &str) -> String {
    let pair = match code {
        "spicy" => Some(("辣", "spicy")),
        "signature" => Some(("招牌", "signature")),
        "vegetarian" => Some(("素食", "vegetarian")),
        "vegan" => Some(("纯素", "vegan")),
        "popular" => Some(("人气", "popular")),
        "new" => Some(("新品", "new")),
        "gluten" => Some(("含麸质", "gluten")),
        "soy" => Some(("含大豆", "soy")),
        "peanut" => Some(("含花生", "peanut")),
        "sesame" => Some(("含芝麻", "sesame")),
        "shellfish" => Some(("含贝类/虾", "shellfish")),
        "fish" => Some(("含鱼", "fish")),
        "egg" => Some(("含蛋", "egg")),
        "milk" => Some(("含奶", "milk")),
        "tree-nut" => Some(("含坚果", "tree nuts")),
        "celery" => Some(("含芹菜", "celery")),
        _ => None,
    };
    match (pair, language) {
        (Some((zh, _)), Language::ZhCn) => zh.to_owned(),
        (Some((_, en)), Language::En) => en.to_owned(),
        (None, _) => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_chinese(text: &str) -> bool {
        text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_stage_of_an_order_has_its_own_words_in_both_languages() {
        let mut english = std::collections::HashSet::new();
        for stage in Stage::all() {
            let (zh, en) = (
                state_text(Language::ZhCn, stage),
                state_text(Language::En, stage),
            );
            assert!(has_chinese(zh), "{stage:?}: {zh:?}");
            assert!(!en.is_empty() && !has_chinese(en), "{stage:?}: {en:?}");
            assert!(
                english.insert(en),
                "{stage:?} says the same as another stage"
            );
        }
    }

    /// The refusals a diner cannot fix by editing the order say what to do.
    #[test]
    fn the_new_refusals_of_an_order_are_told_in_both_languages() {
        for code in [
            "unknown_table",
            "table_not_allowed",
            "pickup_name_not_allowed",
            "device_id_invalid",
            "sent_before_created",
            "device_clock_wrong",
        ] {
            let zh = violation_text(Language::ZhCn, code);
            let en = violation_text(Language::En, code);
            assert!(has_chinese(zh), "{code}: {zh}");
            assert_ne!(en, violation_text(Language::En, "no-such-code"), "{code}");
        }
    }

    /// Each failure a diner can meet reads in their language, and keeps the
    /// technical cause for support.
    #[test]
    fn place_and_menu_errors_are_told_in_both_languages() {
        let place = [
            PlaceError::NoStorage,
            PlaceError::NoMenu,
            PlaceError::NoRandomSource,
            PlaceError::Store(StoreError::Quota),
        ]
        .map(|error| {
            (
                place_error_text(Language::ZhCn, &error),
                place_error_text(Language::En, &error),
            )
        });
        let menu = [true, false].map(|showing_saved| {
            let error = ApiError::Status(502);
            (
                menu_error_text(Language::ZhCn, &error, showing_saved),
                menu_error_text(Language::En, &error, showing_saved),
            )
        });
        for (zh, en) in place.iter().chain(&menu) {
            assert!(has_chinese(zh), "{zh}");
            assert!(!has_chinese(en), "{en}");
        }
        assert!(place[3].1.contains("storage is full"), "{}", place[3].1);
        assert!(menu[0].1.contains("last menu saved"), "{}", menu[0].1);
        assert!(menu[1].1.contains("reload") && menu[1].1.contains("502"));
    }
}
