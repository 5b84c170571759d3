import Foundation

/// A multilingual field: either a plain string (when the request had `language=N`) or one value per language.
public struct PrestaShopLocalizedText: Sendable, Hashable, CustomStringConvertible {
    /// The plain string when the shop sent one.
    public let plain: String?
    /// Values by language id when the shop sent `[{"id":1,"value":"…"}, …]`.
    public let values: [Int: String]

    /// Creates a text from its plain form or its per-language values.
    public init(plain: String?, values: [Int: String]) {
        self.plain = plain
        self.values = values
    }

    /// The value for a language, falling back to the plain string.
    public func value(languageID: Int) -> String? { values[languageID] ?? plain }

    /// The plain string, or the value of the lowest language id, or `""`.
    public var text: String { plain ?? values.min { $0.key < $1.key }?.value ?? "" }

    public var description: String { text }
}

/// A row of `order_details`: one order line with its historic tax data.
public struct PrestaShopOrderDetail: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `id_order`.
    public var orderID: Int
    /// `product_id`.
    public var productID: Int
    /// `product_attribute_id` (0 without combination).
    public var productAttributeID: Int
    /// `product_quantity`.
    public var quantity: Int
    /// `product_name`.
    public var name: String
    /// `product_reference`.
    public var reference: String
    /// `product_ean13`.
    public var ean13: String
    /// `product_price`: catalogue unit price, tax excluded.
    public var productPrice: Decimal
    /// `unit_price_tax_incl`.
    public var unitPriceTaxIncl: Decimal
    /// `unit_price_tax_excl`.
    public var unitPriceTaxExcl: Decimal
    /// `total_price_tax_incl`.
    public var totalPriceTaxIncl: Decimal
    /// `total_price_tax_excl`.
    public var totalPriceTaxExcl: Decimal
    /// `reduction_percent`.
    public var reductionPercent: Decimal
    /// `reduction_amount_tax_incl`.
    public var reductionAmountTaxIncl: Decimal
    /// `reduction_amount_tax_excl`.
    public var reductionAmountTaxExcl: Decimal
    /// `id_tax_rules_group`: the product's tax category when ordered.
    public var taxRulesGroupID: Int
    /// `tax_computation_method`.
    public var taxComputationMethod: Int
    /// `tax_rate` in percent (deprecated in the shop but still written).
    public var taxRate: Decimal
    /// `tax_name`.
    public var taxName: String
    /// `id_shop`.
    public var shopID: Int
    /// `associations.taxes[].id`: the tax ids applied to the line.
    public var taxIDs: [Int]

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        orderID = try object.int("id_order")
        productID = try object.int("product_id")
        productAttributeID = try object.int("product_attribute_id")
        quantity = try object.int("product_quantity")
        name = try object.string("product_name")
        reference = try object.string("product_reference")
        ean13 = try object.string("product_ean13")
        productPrice = try object.decimal("product_price")
        unitPriceTaxIncl = try object.decimal("unit_price_tax_incl")
        unitPriceTaxExcl = try object.decimal("unit_price_tax_excl")
        totalPriceTaxIncl = try object.decimal("total_price_tax_incl")
        totalPriceTaxExcl = try object.decimal("total_price_tax_excl")
        reductionPercent = try object.decimal("reduction_percent")
        reductionAmountTaxIncl = try object.decimal("reduction_amount_tax_incl")
        reductionAmountTaxExcl = try object.decimal("reduction_amount_tax_excl")
        taxRulesGroupID = try object.int("id_tax_rules_group")
        taxComputationMethod = try object.int("tax_computation_method")
        taxRate = try object.decimal("tax_rate")
        taxName = try object.string("tax_name")
        shopID = try object.int("id_shop", default: 1)
        let associations = try object.field("associations").optionalObject()
        var taxIDs: [Int] = []
        for element in try associations.field("taxes").list() {
            taxIDs.append(try element.object().int("id"))
        }
        self.taxIDs = taxIDs
    }
}

/// A row of `order_cart_rules`: a cart rule (voucher, promotion, free shipping) as applied to one order.
public struct PrestaShopOrderCartRule: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `id_order`.
    public var orderID: Int
    /// `id_cart_rule`.
    public var cartRuleID: Int
    /// `name`, as the customer saw it.
    public var name: String
    /// `value`: the discount, tax included.
    public var value: Decimal
    /// `value_tax_excl`.
    public var valueTaxExcl: Decimal
    /// `free_shipping`.
    public var freeShipping: Bool

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        orderID = try object.int("id_order")
        cartRuleID = try object.int("id_cart_rule")
        name = try object.string("name")
        value = try object.decimal("value")
        valueTaxExcl = try object.decimal("value_tax_excl")
        freeShipping = try object.bool("free_shipping")
    }
}

/// An order state (`order_states`). Map states by their flags, not by hard-coded ids.
public struct PrestaShopOrderState: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `name` (multilingual).
    public var name: PrestaShopLocalizedText
    /// `paid`.
    public var isPaid: Bool
    /// `shipped`.
    public var isShipped: Bool
    /// `delivery`.
    public var isDelivery: Bool
    /// `logable`: counts as a validated order.
    public var isLogable: Bool
    /// `invoice`.
    public var isInvoice: Bool
    /// `send_email`.
    public var sendsEmail: Bool
    /// `hidden`.
    public var isHidden: Bool
    /// `deleted`.
    public var isDeleted: Bool
    /// `module_name`: the module that owns the state, if any.
    public var moduleName: String
    /// `color`.
    public var color: String

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        name = try object.localizedText("name")
        isPaid = try object.bool("paid")
        isShipped = try object.bool("shipped")
        isDelivery = try object.bool("delivery")
        isLogable = try object.bool("logable")
        isInvoice = try object.bool("invoice")
        sendsEmail = try object.bool("send_email")
        isHidden = try object.bool("hidden")
        isDeleted = try object.bool("deleted")
        moduleName = try object.string("module_name")
        color = try object.string("color")
    }
}

/// A row of `order_histories`: one state change of an order.
public struct PrestaShopOrderHistory: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `id_order`.
    public var orderID: Int
    /// `id_order_state`.
    public var orderStateID: Int
    /// `id_employee` (0 for the webservice).
    public var employeeID: Int
    /// `date_add`.
    public var dateAdd: String

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        orderID = try object.int("id_order")
        orderStateID = try object.int("id_order_state")
        employeeID = try object.int("id_employee")
        dateAdd = try object.string("date_add")
    }
}

/// A `stock_availables` row: the sellable quantity of one product or combination in one shop.
public struct PrestaShopStockAvailable: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `id_product`.
    public var productID: Int
    /// `id_product_attribute` (0 for the product itself).
    public var productAttributeID: Int
    /// `id_shop`.
    public var shopID: Int
    /// `id_shop_group`.
    public var shopGroupID: Int
    /// `quantity` (may be negative when oversold).
    public var quantity: Int
    /// `depends_on_stock` (advanced stock management).
    public var dependsOnStock: Bool
    /// `out_of_stock`: 0 deny orders, 1 allow, 2 shop default.
    public var outOfStock: Int
    /// `location`.
    public var location: String

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        productID = try object.int("id_product")
        productAttributeID = try object.int("id_product_attribute")
        shopID = try object.int("id_shop")
        shopGroupID = try object.int("id_shop_group")
        quantity = try object.int("quantity")
        dependsOnStock = try object.bool("depends_on_stock")
        outOfStock = try object.int("out_of_stock")
        location = try object.string("location")
    }
}

/// A customer (`customers`); the password hash and secure key are not read.
public struct PrestaShopCustomer: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `email`.
    public var email: String
    /// `firstname`.
    public var firstName: String
    /// `lastname`.
    public var lastName: String
    /// `company`.
    public var company: String
    /// `id_default_group`.
    public var defaultGroupID: Int
    /// `id_lang`.
    public var languageID: Int
    /// `active`.
    public var isActive: Bool
    /// `is_guest`.
    public var isGuest: Bool
    /// `newsletter`.
    public var newsletter: Bool
    /// `date_add`.
    public var dateAdd: String
    /// `date_upd`.
    public var dateUpd: String

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        email = try object.string("email")
        firstName = try object.string("firstname")
        lastName = try object.string("lastname")
        company = try object.string("company")
        defaultGroupID = try object.int("id_default_group")
        languageID = try object.int("id_lang")
        isActive = try object.bool("active")
        isGuest = try object.bool("is_guest")
        newsletter = try object.bool("newsletter")
        dateAdd = try object.string("date_add")
        dateUpd = try object.string("date_upd")
    }
}

/// An address (`addresses`). Addresses used by orders are never edited in place by the shop.
public struct PrestaShopAddress: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `id_customer`.
    public var customerID: Int
    /// `id_country`.
    public var countryID: Int
    /// `id_state` (0 when the country has no states).
    public var stateID: Int
    /// `alias`.
    public var alias: String
    /// `company`.
    public var company: String
    /// `firstname`.
    public var firstName: String
    /// `lastname`.
    public var lastName: String
    /// `address1`.
    public var address1: String
    /// `address2`.
    public var address2: String
    /// `postcode`.
    public var postcode: String
    /// `city`.
    public var city: String
    /// `phone`.
    public var phone: String
    /// `phone_mobile`.
    public var phoneMobile: String
    /// `vat_number`.
    public var vatNumber: String
    /// `dni` (national id number).
    public var dni: String
    /// `deleted`.
    public var isDeleted: Bool

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        customerID = try object.int("id_customer")
        countryID = try object.int("id_country")
        stateID = try object.int("id_state")
        alias = try object.string("alias")
        company = try object.string("company")
        firstName = try object.string("firstname")
        lastName = try object.string("lastname")
        address1 = try object.string("address1")
        address2 = try object.string("address2")
        postcode = try object.string("postcode")
        city = try object.string("city")
        phone = try object.string("phone")
        phoneMobile = try object.string("phone_mobile")
        vatNumber = try object.string("vat_number")
        dni = try object.string("dni")
        isDeleted = try object.bool("deleted")
    }
}

/// A country (`countries`).
public struct PrestaShopCountry: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `iso_code`: ISO 3166-1 alpha-2.
    public var isoCode: String
    /// `id_zone`.
    public var zoneID: Int
    /// `id_currency` (0: the shop default).
    public var currencyID: Int
    /// `active`.
    public var isActive: Bool
    /// `contains_states`.
    public var containsStates: Bool
    /// `need_zip_code`.
    public var needsZipCode: Bool
    /// `zip_code_format`.
    public var zipCodeFormat: String
    /// `name` (multilingual).
    public var name: PrestaShopLocalizedText

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        isoCode = try object.string("iso_code")
        zoneID = try object.int("id_zone")
        currencyID = try object.int("id_currency")
        isActive = try object.bool("active")
        containsStates = try object.bool("contains_states")
        needsZipCode = try object.bool("need_zip_code")
        zipCodeFormat = try object.string("zip_code_format")
        name = try object.localizedText("name")
    }
}

/// A currency (`currencies`).
public struct PrestaShopCurrency: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `iso_code`: ISO 4217.
    public var isoCode: String
    /// `numeric_iso_code`, kept as text (leading zeros matter).
    public var numericISOCode: String
    /// `precision`: decimals shown.
    public var precision: Int
    /// `conversion_rate` against the shop's default currency.
    public var conversionRate: Decimal
    /// `active`.
    public var isActive: Bool
    /// `deleted`.
    public var isDeleted: Bool
    /// `name` (multilingual on 1.7.6 and later, a plain string before).
    public var name: PrestaShopLocalizedText

    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        isoCode = try object.string("iso_code")
        numericISOCode = try object.string("numeric_iso_code")
        precision = try object.int("precision")
        conversionRate = try object.decimal("conversion_rate")
        isActive = try object.bool("active")
        isDeleted = try object.bool("deleted")
        name = try object.localizedText("name")
    }
}
