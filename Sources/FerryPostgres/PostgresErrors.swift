import PostgresNIO

/// The server's message for a failed statement, or the error's code; never the statement's bind values.
func serverMessage(_ error: any Error) -> String {
    if let psql = error as? PSQLError {
        return psql.serverInfo?[.message] ?? "\(psql.code)"
    }
    if let transaction = error as? PostgresTransactionError {
        if let closureError = transaction.closureError { return serverMessage(closureError) }
        if let begin = transaction.beginError { return serverMessage(begin) }
        if let commit = transaction.commitError { return serverMessage(commit) }
    }
    if let database = error as? DatabaseError { return database.message }
    return String(describing: type(of: error))
}
