/// The resources the sandbox serves, with their fields in PrestaShop's output order
/// (`$webserviceParameters['fields']` first, then `$definition['fields']`).
enum ResourceCatalog {
    static let all: [ResourceDefinition] = [
        addresses, combinations, countries, currencies, customers, orderCartRules, orderDetails, orderHistories,
        orderPayments, orderStates, orders, products, stockAvailables, taxRuleGroups, taxRules, taxes,
    ].sorted { $0.name < $1.name }

    static let byName: [String: ResourceDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static func definition(_ name: String) -> ResourceDefinition? { byName[name] }

    // MARK: - Orders

    static let orders = ResourceDefinition(
        name: "orders",
        nodeName: "order",
        className: "Order",
        description: "The Customers orders",
        fields: [
            .id("id"),
            .id("id_address_delivery", "addresses", required: true),
            .id("id_address_invoice", "addresses", required: true),
            .id("id_cart", "carts", required: true),
            .id("id_currency", "currencies", required: true),
            .id("id_lang", "languages", required: true),
            .id("id_customer", "customers", required: true),
            .id("id_carrier", "carriers", required: true),
            .id("current_state", "order_states"),
            .string("module", required: true),
            .int("invoice_number"),
            .date("invoice_date"),
            .int("delivery_number"),
            .date("delivery_date"),
            .bool("valid"),
            .date("date_add"),
            .date("date_upd"),
            FieldDefinition.string("shipping_number").withGetter(),
            .id("id_shop_group"),
            .id("id_shop"),
            .string("secure_key"),
            .string("payment", required: true),
            .bool("recyclable"),
            .bool("gift"),
            .string("gift_message"),
            .bool("mobile_theme"),
            .money("total_discounts"),
            .money("total_discounts_tax_incl"),
            .money("total_discounts_tax_excl"),
            .money("total_paid", required: true),
            .money("total_paid_tax_incl"),
            .money("total_paid_tax_excl"),
            .money("total_paid_real", required: true),
            .money("total_products", required: true),
            .money("total_products_wt", required: true),
            .money("total_shipping"),
            .money("total_shipping_tax_incl"),
            .money("total_shipping_tax_excl"),
            .decimal("carrier_tax_rate", scale: 3),
            .money("total_wrapping"),
            .money("total_wrapping_tax_incl"),
            .money("total_wrapping_tax_excl"),
            .int("round_mode"),
            .int("round_type"),
            .money("conversion_rate", required: true),
            .string("reference"),
            .string("note"),
        ],
        associations: [
            AssociationDefinition(
                name: "order_rows",
                nodeType: "order_row",
                fields: [
                    .id("id"),
                    .id("product_id", "products"),
                    .id("product_attribute_id", "combinations"),
                    .int("product_quantity"),
                    .string("product_name"),
                    .string("product_reference"),
                    .string("product_ean13"),
                    .string("product_isbn"),
                    .string("product_upc"),
                    .money("product_price"),
                    .id("id_customization", "customizations"),
                    .money("unit_price_tax_incl"),
                    .money("unit_price_tax_excl"),
                ],
                virtualEntity: true,
                readOnly: true
            )
        ]
    )

    static let orderDetails = ResourceDefinition(
        name: "order_details",
        nodeName: "order_detail",
        className: "OrderDetail",
        description: "Details of an order",
        fields: [
            .id("id"),
            .id("id_order", "orders", required: true),
            .id("product_id", "products"),
            .id("product_attribute_id", "combinations"),
            .int("product_quantity_reinjected"),
            .decimal("group_reduction", scale: 2),
            .int("discount_quantity_applied"),
            .string("download_hash"),
            .date("download_deadline"),
            .id("id_order_invoice", "order_invoices"),
            .id("id_warehouse", "warehouses", required: true),
            .id("id_shop", "shops", required: true),
            .id("id_customization", "customizations"),
            .string("product_name", required: true),
            .int("product_quantity", required: true),
            .int("product_quantity_in_stock"),
            .int("product_quantity_return"),
            .int("product_quantity_refunded"),
            .money("product_price", required: true),
            .decimal("reduction_percent", scale: 2),
            .money("reduction_amount"),
            .money("reduction_amount_tax_incl"),
            .money("reduction_amount_tax_excl"),
            .money("product_quantity_discount"),
            .string("product_ean13"),
            .string("product_isbn"),
            .string("product_upc"),
            .string("product_mpn"),
            .string("product_reference"),
            .string("product_supplier_reference"),
            .money("product_weight"),
            .int("tax_computation_method"),
            .id("id_tax_rules_group", "tax_rule_groups"),
            .money("ecotax"),
            .decimal("ecotax_tax_rate", scale: 3),
            .int("download_nb"),
            .money("unit_price_tax_incl"),
            .money("unit_price_tax_excl"),
            .money("total_price_tax_incl"),
            .money("total_price_tax_excl"),
            .money("total_shipping_price_tax_excl"),
            .money("total_shipping_price_tax_incl"),
            .money("purchase_supplier_price"),
            .money("original_product_price"),
            .money("original_wholesale_price"),
            .money("total_refunded_tax_excl"),
            .money("total_refunded_tax_incl"),
            .string("tax_name"),
            .decimal("tax_rate", scale: 3),
        ],
        associations: [
            AssociationDefinition(name: "taxes", nodeType: "tax", fields: [.id("id", "taxes")], readOnly: true)
        ]
    )

    static let orderHistories = ResourceDefinition(
        name: "order_histories",
        nodeName: "order_history",
        className: "OrderHistory",
        description: "The Order histories",
        fields: [
            .id("id"),
            .id("id_employee", "employees"),
            .id("id_order_state", "order_states", required: true),
            .id("id_order", "orders", required: true),
            .date("date_add"),
        ]
    )

    /// `OrderCartRule`: a cart rule as applied to one order (`value` tax included, `value_tax_excl`).
    static let orderCartRules = ResourceDefinition(
        name: "order_cart_rules",
        nodeName: "order_cart_rule",
        className: "OrderCartRule",
        description: "The Order cart rules",
        fields: [
            .id("id"),
            .id("id_order", "orders", required: true),
            .id("id_cart_rule", "cart_rules", required: true),
            .id("id_order_invoice", "order_invoices"),
            .string("name", required: true),
            .money("value", required: true),
            .money("value_tax_excl", required: true),
            .bool("free_shipping"),
            .bool("deleted"),
        ]
    )

    static let orderPayments = ResourceDefinition(
        name: "order_payments",
        nodeName: "order_payment",
        className: "OrderPayment",
        description: "The Order payments",
        fields: [
            .id("id"),
            .string("order_reference"),
            .id("id_currency", "currencies", required: true),
            .money("amount", required: true),
            .string("payment_method"),
            .money("conversion_rate"),
            .string("transaction_id"),
            .string("card_number"),
            .string("card_brand"),
            .string("card_expiration"),
            .string("card_holder"),
            .date("date_add"),
            .id("id_employee", "employees"),
        ]
    )

    static let orderStates = ResourceDefinition(
        name: "order_states",
        nodeName: "order_state",
        className: "OrderState",
        description: "The Order statuses",
        fields: [
            .id("id"),
            .bool("unremovable"),
            .bool("delivery"),
            .bool("hidden"),
            .bool("send_email"),
            .string("module_name"),
            .bool("invoice"),
            .string("color"),
            .bool("logable"),
            .bool("shipped"),
            .bool("paid"),
            .bool("pdf_delivery"),
            .bool("pdf_invoice"),
            .bool("deleted"),
            .text("name", required: true),
            .text("template"),
        ]
    )

    // MARK: - Customers and places

    static let customers = ResourceDefinition(
        name: "customers",
        nodeName: "customer",
        className: "Customer",
        description: "The e-shop's customers",
        fields: [
            .id("id"),
            .id("id_default_group", "groups"),
            .id("id_lang", "languages"),
            .date("newsletter_date_add"),
            .string("ip_registration_newsletter"),
            .date("last_passwd_gen"),
            .string("secure_key"),
            .bool("deleted"),
            .string("passwd", required: true),
            .string("lastname", required: true),
            .string("firstname", required: true),
            FieldDefinition.string("email", required: true).validated(.email),
            .id("id_gender", "genders"),
            .string("birthday"),
            .bool("newsletter"),
            .bool("optin"),
            .string("website"),
            .string("company"),
            .string("siret"),
            .string("ape"),
            .money("outstanding_allow_amount"),
            .bool("show_public_prices"),
            .id("id_risk"),
            .int("max_payment_days"),
            .bool("active"),
            .string("note"),
            .bool("is_guest"),
            .id("id_shop"),
            .id("id_shop_group"),
            .date("date_add"),
            .date("date_upd"),
            .string("reset_password_token"),
            .date("reset_password_validity"),
        ],
        associations: [
            AssociationDefinition(name: "groups", nodeType: "group", fields: [.id("id", "groups")])
        ]
    )

    static let addresses = ResourceDefinition(
        name: "addresses",
        nodeName: "address",
        className: "Address",
        description: "The Customer, Brand and Customer addresses",
        fields: [
            .id("id"),
            .id("id_customer", "customers"),
            .id("id_manufacturer", "manufacturers"),
            .id("id_supplier", "suppliers"),
            .id("id_warehouse", "warehouses"),
            .id("id_country", "countries", required: true),
            .id("id_state", "states"),
            .string("alias", required: true),
            .string("company"),
            .string("lastname", required: true),
            .string("firstname", required: true),
            .string("vat_number"),
            .string("address1", required: true),
            .string("address2"),
            .string("postcode"),
            .string("city", required: true),
            .string("other"),
            .string("phone"),
            .string("phone_mobile"),
            .string("dni"),
            .bool("deleted"),
            .date("date_add"),
            .date("date_upd"),
        ]
    )

    static let countries = ResourceDefinition(
        name: "countries",
        nodeName: "country",
        className: "Country",
        description: "The countries",
        fields: [
            .id("id"),
            .id("id_zone", "zones", required: true),
            .id("id_currency", "currencies"),
            .int("call_prefix"),
            .string("iso_code", required: true),
            .bool("active"),
            .bool("contains_states", required: true),
            .bool("need_identification_number", required: true),
            .bool("need_zip_code"),
            .string("zip_code_format"),
            .bool("display_tax_label", required: true),
            .text("name", required: true),
        ]
    )

    static let currencies = ResourceDefinition(
        name: "currencies",
        nodeName: "currency",
        className: "Currency",
        description: "The currencies",
        fields: [
            .id("id"),
            .text("name", required: true),
            .text("symbol"),
            .string("iso_code", required: true),
            .string("numeric_iso_code"),
            .int("precision"),
            .money("conversion_rate", required: true),
            .bool("deleted"),
            .bool("active"),
            .bool("unofficial"),
            .bool("modified"),
        ]
    )

    // MARK: - Catalogue and stock

    static let products = ResourceDefinition(
        name: "products",
        nodeName: "product",
        className: "Product",
        description: "The products",
        fields: [
            .id("id"),
            .id("id_manufacturer", "manufacturers"),
            .id("id_supplier", "suppliers"),
            .id("id_category_default", "categories"),
            .bool("new"),
            .id("cache_default_attribute"),
            FieldDefinition.id("id_default_image", "images").computed(),
            FieldDefinition.id("id_default_combination", "combinations").computed(),
            .id("id_tax_rules_group", "tax_rule_groups"),
            FieldDefinition.int("position_in_category").withGetter(),
            FieldDefinition.string("manufacturer_name").computed(),
            FieldDefinition.int("quantity").computed(),
            FieldDefinition.string("type").withGetter(),
            .id("id_shop_default"),
            .string("reference"),
            .string("supplier_reference"),
            .string("location"),
            .money("width"),
            .money("height"),
            .money("depth"),
            .money("weight"),
            .bool("quantity_discount"),
            .string("ean13"),
            .string("isbn"),
            .string("upc"),
            .string("mpn"),
            .bool("cache_is_pack"),
            .bool("cache_has_attachments"),
            .bool("is_virtual"),
            .int("state"),
            .int("additional_delivery_times"),
            .text("delivery_in_stock"),
            .text("delivery_out_stock"),
            .string("product_type"),
            .bool("on_sale"),
            .bool("online_only"),
            .money("ecotax"),
            .int("minimal_quantity"),
            .int("low_stock_threshold"),
            .bool("low_stock_alert"),
            .money("price", required: true),
            .money("wholesale_price"),
            .string("unity"),
            .money("unit_price_ratio"),
            .money("additional_shipping_cost"),
            .int("customizable"),
            .int("text_fields"),
            .int("uploadable_files"),
            .bool("active"),
            .string("redirect_type"),
            .id("id_type_redirected"),
            .bool("available_for_order"),
            .string("available_date"),
            .bool("show_condition"),
            .string("condition"),
            .bool("show_price"),
            .bool("indexed"),
            .string("visibility"),
            .bool("advanced_stock_management"),
            .date("date_add"),
            .date("date_upd"),
            .int("pack_stock_type"),
            .text("meta_description"),
            .text("meta_keywords"),
            .text("meta_title"),
            .text("link_rewrite", required: true),
            .text("name", required: true),
            .text("description"),
            .text("description_short"),
            .text("available_now"),
            .text("available_later"),
        ],
        associations: [
            AssociationDefinition(name: "categories", nodeType: "category", fields: [.id("id", "categories")]),
            AssociationDefinition(name: "combinations", nodeType: "combination", fields: [.id("id", "combinations")]),
            AssociationDefinition(
                name: "stock_availables",
                nodeType: "stock_available",
                fields: [.id("id", "stock_availables"), .id("id_product_attribute", "combinations")],
                readOnly: true
            ),
        ]
    )

    static let combinations = ResourceDefinition(
        name: "combinations",
        nodeName: "combination",
        className: "Combination",
        description: "The product combinations",
        fields: [
            .id("id"),
            .id("id_product", "products", required: true),
            .string("location"),
            .string("ean13"),
            .string("isbn"),
            .string("upc"),
            .string("mpn"),
            FieldDefinition.int("quantity").computed(),
            .string("reference"),
            .string("supplier_reference"),
            .money("wholesale_price"),
            .money("price"),
            .money("ecotax"),
            .money("weight"),
            .money("unit_price_impact"),
            .int("minimal_quantity", required: true),
            .int("low_stock_threshold"),
            .bool("low_stock_alert"),
            .bool("default_on"),
            .string("available_date"),
        ]
    )

    static let stockAvailables = ResourceDefinition(
        name: "stock_availables",
        nodeName: "stock_available",
        className: "StockAvailable",
        description: "Available quantities",
        fields: [
            .id("id"),
            .id("id_product", "products", required: true),
            .id("id_product_attribute", "combinations", required: true),
            .id("id_shop", "shops"),
            .id("id_shop_group", "shop_groups"),
            .int("quantity", required: true),
            .bool("depends_on_stock", required: true),
            .int("out_of_stock", required: true),
            .string("location"),
        ],
        forbiddenMethods: ["POST", "DELETE"]
    )

    // MARK: - Tax

    static let taxes = ResourceDefinition(
        name: "taxes",
        nodeName: "tax",
        className: "Tax",
        description: "The tax rate",
        fields: [
            .id("id"),
            .decimal("rate", scale: 3, required: true),
            .bool("active"),
            .bool("deleted"),
            .text("name", required: true),
        ]
    )

    static let taxRules = ResourceDefinition(
        name: "tax_rules",
        nodeName: "tax_rule",
        className: "TaxRule",
        description: "Tax rules entity",
        fields: [
            .id("id"),
            .id("id_tax_rules_group", "tax_rule_groups", required: true),
            .id("id_state", "states"),
            .id("id_country", "countries", required: true),
            .string("zipcode_from"),
            .string("zipcode_to"),
            .id("id_tax", "taxes", required: true),
            .int("behavior"),
            .string("description"),
        ]
    )

    static let taxRuleGroups = ResourceDefinition(
        name: "tax_rule_groups",
        nodeName: "tax_rule_group",
        className: "TaxRulesGroup",
        description: "Tax rule groups",
        fields: [
            .id("id"),
            .string("name", required: true),
            .bool("active"),
            .bool("deleted"),
            .date("date_add"),
            .date("date_upd"),
        ]
    )
}
