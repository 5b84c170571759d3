// The order worker lives here.
