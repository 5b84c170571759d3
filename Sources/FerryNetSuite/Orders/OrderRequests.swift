import FerryCore
import Foundation

/// A NetSuite reference field: `{"id": "<internal id>"}`.
public struct NetSuiteReference: Sendable, Hashable, Encodable {
    public var id: String

    public init(_ id: String) { self.id = id }
    public init(_ id: Int) { self.id = String(id) }
}

/// `POST /record/v1/salesOrder`: the body Ferry sends for an order (A2).
public struct SalesOrderRequest: Sendable, Equatable, Encodable {
    public struct Line: Sendable, Equatable, Encodable {
        public var item: NetSuiteReference
        public var quantity: Decimal
        public var rate: Decimal
        /// Absent on an untaxed line (the rounding adjustment).
        public var taxCode: NetSuiteReference?
        /// Discount, wrapping and rounding lines say what they are.
        public var description: String?
    }

    public struct Lines: Sendable, Equatable, Encodable {
        public var items: [Line]
    }

    public var externalId: String
    public var entity: NetSuiteReference
    public var subsidiary: NetSuiteReference
    public var currency: NetSuiteReference
    public var location: NetSuiteReference
    public var shipMethod: NetSuiteReference
    public var tranDate: String
    public var otherRefNum: String
    public var memo: String
    public var shippingCost: Decimal
    /// The tax code NetSuite computes shipping tax with; absent when shipping is untaxed.
    public var shippingTaxCode: NetSuiteReference?
    /// Only for an order not in the shop's default currency.
    public var exchangeRate: Decimal?
    public var item: Lines

    public init(_ draft: SalesOrderDraft) {
        externalId = draft.externalID
        entity = NetSuiteReference(draft.customerEntityID)
        subsidiary = NetSuiteReference(draft.subsidiaryID)
        currency = NetSuiteReference(draft.currencyID)
        location = NetSuiteReference(draft.locationID)
        shipMethod = NetSuiteReference(draft.shipMethodID)
        tranDate = draft.tranDate
        otherRefNum = draft.otherRefNum
        memo = draft.memo
        shippingCost = draft.shippingCost
        shippingTaxCode = draft.shippingTaxCodeID.map(NetSuiteReference.init)
        exchangeRate = draft.exchangeRate
        item = Lines(
            items: draft.lines.map {
                Line(
                    item: NetSuiteReference($0.itemID),
                    quantity: Decimal($0.quantity),
                    rate: $0.rate,
                    taxCode: $0.taxCodeID.map(NetSuiteReference.init),
                    description: $0.description
                )
            }
        )
    }
}

/// `POST /record/v1/customerDeposit`: the payment of a paid order, linked to its sales order (A6).
public struct CustomerDepositRequest: Sendable, Equatable, Encodable {
    public var externalId: String
    public var customer: NetSuiteReference
    public var salesOrder: NetSuiteReference
    public var subsidiary: NetSuiteReference
    public var currency: NetSuiteReference
    public var paymentMethod: NetSuiteReference
    public var payment: Decimal
    /// The sales order's exchange rate, for an order not in the shop's default currency.
    public var exchangeRate: Decimal?
    public var tranDate: String
    public var memo: String

    public init(_ draft: SalesOrderDraft, deposit: SalesOrderDraft.Deposit, salesOrderID: String) {
        externalId = deposit.externalID
        customer = NetSuiteReference(draft.customerEntityID)
        salesOrder = NetSuiteReference(salesOrderID)
        subsidiary = NetSuiteReference(draft.subsidiaryID)
        currency = NetSuiteReference(draft.currencyID)
        paymentMethod = NetSuiteReference(deposit.paymentMethodID)
        payment = deposit.amount
        exchangeRate = draft.exchangeRate
        tranDate = draft.tranDate
        memo = "Payment of PrestaShop order \(draft.otherRefNum)"
    }
}

/// `POST /record/v1/customer`: a shop customer NetSuite has never seen.
public struct CustomerRequest: Sendable, Equatable, Encodable {
    public var externalId: String
    public var email: String
    public var firstName: String
    public var lastName: String
    public var subsidiary: NetSuiteReference
    public var isPerson: Bool
    /// Only for a company (`isPerson` false).
    public var companyName: String?

    public init(
        externalID: String,
        email: String,
        firstName: String,
        lastName: String,
        company: String,
        subsidiaryID: Int
    ) {
        externalId = externalID
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        subsidiary = NetSuiteReference(subsidiaryID)
        isPerson = company.isEmpty
        companyName = company.isEmpty ? nil : company
    }
}
