"""Reports as pure functions (conn, scope) → typed rows: the scope, the as-of state, the expected value, target states, status, stats, progress, laggards, trends, summary."""
