/// Migration 2: the NetSuite concurrency lease (see `LeaseTable` in FerryCore, whose rules these functions mirror).
///
/// - `netsuite_lease_accounts`: one row per NetSuite account: configured slots, the AIMD effective limit and its
///   state, the reserved shares. Every acquire and release locks this row (`FOR UPDATE`) for the length of one
///   statement, so admission counts are exact; nothing survives the statement, so it works through a
///   transaction-pooling proxy.
/// - `netsuite_lease_slots`: one row per slot: holder, priority, fencing token (from a sequence) and `expires_at`
///   by the server's `now()`. Free when `token IS NULL` or `expires_at <= now()`.
/// - `netsuite_lease_waiters`: the FIFO queue of tickets, each valid until its `expires_at`.
///
/// Releases, departures and limit increases `NOTIFY ferry_lease` with the payload `<account> <tickets>`: the
/// waiting tickets that may go now (computed like an acquire would), so only their owners wake and ask.
enum LeaseSchema {
    /// The classes in `LeasePriority.allCases` order; the SQL arrays below are indexed by it.
    static let classes = "ARRAY['live','reconciliation','replay']"

    static let channel = "ferry_lease"

    static let statements: [String] = [
        "CREATE SEQUENCE netsuite_lease_tokens",
        "CREATE SEQUENCE netsuite_lease_tickets",
        """
        CREATE TABLE netsuite_lease_accounts (
            account text PRIMARY KEY,
            slots integer NOT NULL CHECK (slots > 0),
            effective_limit integer NOT NULL CHECK (effective_limit > 0),
            reservations jsonb NOT NULL DEFAULT '{}',
            decrease_factor double precision NOT NULL DEFAULT 0.75,
            increase_after integer NOT NULL DEFAULT 25,
            success_streak integer NOT NULL DEFAULT 0,
            decrease_fence bigint NOT NULL DEFAULT 0,
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """,
        """
        CREATE TABLE netsuite_lease_slots (
            account text NOT NULL REFERENCES netsuite_lease_accounts (account) ON DELETE CASCADE,
            slot integer NOT NULL,
            holder text,
            priority text CHECK (priority IN ('live', 'reconciliation', 'replay')),
            token bigint,
            acquired_at timestamptz,
            expires_at timestamptz NOT NULL DEFAULT '-infinity',
            PRIMARY KEY (account, slot)
        )
        """,
        """
        CREATE TABLE netsuite_lease_waiters (
            account text NOT NULL REFERENCES netsuite_lease_accounts (account) ON DELETE CASCADE,
            ticket bigint NOT NULL,
            holder text NOT NULL,
            priority text NOT NULL CHECK (priority IN ('live', 'reconciliation', 'replay')),
            expires_at timestamptz NOT NULL,
            PRIMARY KEY (account, ticket)
        )
        """,
        // LeaseShares.effectiveReservations: served in class order, never more than the limit together.
        """
        CREATE FUNCTION ferry_lease_reserved(p_reservations jsonb, p_limit integer)
        RETURNS integer[] LANGUAGE plpgsql IMMUTABLE AS $$
        DECLARE
            v_classes text[] := \(classes);
            v_left integer := greatest(p_limit, 0);
            v_share integer;
            v_result integer[] := ARRAY[0, 0, 0];
        BEGIN
            FOR i IN 1..3 LOOP
                v_share := least(greatest(coalesce((p_reservations ->> v_classes[i])::integer, 0), 0), v_left);
                v_result[i] := v_share;
                v_left := v_left - v_share;
            END LOOP;
            RETURN v_result;
        END
        $$
        """,
        """
        CREATE FUNCTION ferry_lease_configure(
            p_account text, p_slots integer, p_reservations jsonb, p_decrease_factor double precision,
            p_increase_after integer)
        RETURNS integer LANGUAGE plpgsql AS $$
        DECLARE
            v_limit integer;
        BEGIN
            INSERT INTO netsuite_lease_accounts AS a
                (account, slots, effective_limit, reservations, decrease_factor, increase_after)
            VALUES (p_account, p_slots, p_slots, p_reservations, p_decrease_factor, p_increase_after)
            ON CONFLICT (account) DO UPDATE SET
                slots = EXCLUDED.slots,
                effective_limit = least(a.effective_limit, EXCLUDED.slots),
                reservations = EXCLUDED.reservations,
                decrease_factor = EXCLUDED.decrease_factor,
                increase_after = EXCLUDED.increase_after,
                updated_at = now()
            RETURNING a.effective_limit INTO v_limit;
            INSERT INTO netsuite_lease_slots (account, slot)
            SELECT p_account, n FROM generate_series(1, p_slots) AS n
            ON CONFLICT DO NOTHING;
            DELETE FROM netsuite_lease_slots s
            WHERE s.account = p_account AND s.slot > p_slots AND (s.token IS NULL OR s.expires_at <= now());
            PERFORM ferry_lease_wake(p_account, v_limit, p_reservations);
            RETURN v_limit;
        END
        $$
        """,
        // The queue pass of LeaseTable.acquire / LeaseShares.grants: the valid waiters in ticket order, each granted
        // if its class is admitted (LeaseShares.admits: the free slots still cover every other class's unmet
        // reservation after it), skipping those out of share. Returns the tickets that may go now and the holdings
        // as they would be after them.
        """
        CREATE FUNCTION ferry_lease_serve(
            p_account text, p_limit integer, p_reservations jsonb,
            OUT held integer[], OUT reserved integer[], OUT unmet integer, OUT tickets bigint[])
        LANGUAGE plpgsql STABLE AS $$
        DECLARE
            v_classes text[] := \(classes);
            v_total integer;
            v_own_unmet integer;
            v_class integer;
            r record;
        BEGIN
            held := ARRAY[0, 0, 0];
            unmet := 0;
            tickets := '{}';
            FOR r IN
                SELECT s.priority, count(*)::integer AS n FROM netsuite_lease_slots s
                WHERE s.account = p_account AND s.token IS NOT NULL AND s.expires_at > now()
                GROUP BY s.priority
            LOOP
                held[array_position(v_classes, r.priority)] := r.n;
            END LOOP;
            v_total := held[1] + held[2] + held[3];
            reserved := ferry_lease_reserved(p_reservations, p_limit);
            FOR i IN 1..3 LOOP
                unmet := unmet + greatest(0, reserved[i] - held[i]);
            END LOOP;
            IF v_total >= p_limit THEN
                RETURN;
            END IF;
            FOR r IN
                SELECT w.ticket, w.priority FROM netsuite_lease_waiters w
                WHERE w.account = p_account AND w.expires_at > now()
                ORDER BY w.ticket
            LOOP
                EXIT WHEN v_total >= p_limit;
                v_class := array_position(v_classes, r.priority);
                v_own_unmet := greatest(0, reserved[v_class] - held[v_class]);
                IF p_limit - v_total - (unmet - v_own_unmet) > 0 THEN
                    held[v_class] := held[v_class] + 1;
                    v_total := v_total + 1;
                    IF v_own_unmet > 0 THEN
                        unmet := unmet - 1;
                    END IF;
                    tickets := tickets || r.ticket;
                END IF;
            END LOOP;
        END
        $$
        """,
        // Wakes the waiters that may go now: payload "<account> <ticket>,<ticket>…" (at most 200 tickets).
        """
        CREATE FUNCTION ferry_lease_wake(p_account text, p_limit integer, p_reservations jsonb)
        RETURNS bigint[] LANGUAGE plpgsql AS $$
        DECLARE
            v_tickets bigint[];
        BEGIN
            SELECT s.tickets INTO v_tickets FROM ferry_lease_serve(p_account, p_limit, p_reservations) s;
            PERFORM pg_notify('\(channel)', p_account || ' ' || array_to_string(v_tickets[1:200], ','));
            RETURN v_tickets;
        END
        $$
        """,
        // LeaseTable.acquire.
        """
        CREATE FUNCTION ferry_lease_acquire(
            p_account text, p_holder text, p_priority text, p_ticket bigint, p_ttl_ms integer,
            p_waiter_ttl_ms integer,
            OUT granted_slot integer, OUT granted_token bigint, OUT waiting_ticket bigint, OUT current_limit integer)
        LANGUAGE plpgsql AS $$
        DECLARE
            v_me integer := array_position(\(classes), p_priority);
            v_account netsuite_lease_accounts%ROWTYPE;
            v_pass record;
            v_known boolean := false;
            v_granted boolean := false;
        BEGIN
            IF v_me IS NULL THEN
                RAISE EXCEPTION 'unknown lease priority %', p_priority USING ERRCODE = '22023';
            END IF;
            SELECT * INTO v_account FROM netsuite_lease_accounts a WHERE a.account = p_account FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'lease account is not configured' USING ERRCODE = 'P0002';
            END IF;
            current_limit := v_account.effective_limit;
            DELETE FROM netsuite_lease_waiters w WHERE w.account = p_account AND w.expires_at <= now();
            IF p_ticket IS NOT NULL THEN
                v_known := EXISTS (
                    SELECT 1 FROM netsuite_lease_waiters w WHERE w.account = p_account AND w.ticket = p_ticket);
            END IF;
            SELECT * INTO v_pass FROM ferry_lease_serve(p_account, current_limit, v_account.reservations);
            IF v_known THEN
                v_granted := p_ticket = ANY (v_pass.tickets);
            ELSE
                -- A newcomer queues behind everyone served first.
                v_granted := current_limit - (v_pass.held[1] + v_pass.held[2] + v_pass.held[3])
                    - (v_pass.unmet - greatest(0, v_pass.reserved[v_me] - v_pass.held[v_me])) > 0;
            END IF;
            IF v_granted THEN
                UPDATE netsuite_lease_slots s SET
                    holder = p_holder, priority = p_priority, token = nextval('netsuite_lease_tokens'),
                    acquired_at = now(), expires_at = now() + p_ttl_ms * interval '1 millisecond'
                WHERE s.account = p_account AND s.slot = (
                    SELECT f.slot FROM netsuite_lease_slots f
                    WHERE f.account = p_account AND f.slot <= v_account.slots
                        AND (f.token IS NULL OR f.expires_at <= now())
                    ORDER BY f.slot LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING s.slot, s.token INTO granted_slot, granted_token;
                IF FOUND THEN
                    IF v_known THEN
                        DELETE FROM netsuite_lease_waiters w WHERE w.account = p_account AND w.ticket = p_ticket;
                    END IF;
                    RETURN;
                END IF;
            END IF;
            IF v_known THEN
                UPDATE netsuite_lease_waiters w SET expires_at = now() + p_waiter_ttl_ms * interval '1 millisecond'
                WHERE w.account = p_account AND w.ticket = p_ticket;
                waiting_ticket := p_ticket;
            ELSE
                INSERT INTO netsuite_lease_waiters (account, ticket, holder, priority, expires_at)
                VALUES (p_account, nextval('netsuite_lease_tickets'), p_holder, p_priority,
                        now() + p_waiter_ttl_ms * interval '1 millisecond')
                RETURNING ticket INTO waiting_ticket;
            END IF;
        END
        $$
        """,
        // LeaseTable.release and AdaptiveLimit.record.
        """
        CREATE FUNCTION ferry_lease_release(
            p_account text, p_slot integer, p_token bigint, p_feedback text,
            OUT released boolean, OUT old_limit integer, OUT new_limit integer, OUT wake_tickets bigint[])
        LANGUAGE plpgsql AS $$
        DECLARE
            v_account netsuite_lease_accounts%ROWTYPE;
            v_cleared boolean := false;
            v_streak integer;
            v_fence bigint;
        BEGIN
            SELECT * INTO v_account FROM netsuite_lease_accounts a WHERE a.account = p_account FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'lease account is not configured' USING ERRCODE = 'P0002';
            END IF;
            old_limit := v_account.effective_limit;
            new_limit := old_limit;
            released := false;
            SELECT s.expires_at > now() INTO released FROM netsuite_lease_slots s
            WHERE s.account = p_account AND s.slot = p_slot AND s.token = p_token FOR UPDATE;
            IF FOUND THEN
                v_cleared := true;
                UPDATE netsuite_lease_slots s SET
                    holder = NULL, priority = NULL, token = NULL, acquired_at = NULL, expires_at = '-infinity'
                WHERE s.account = p_account AND s.slot = p_slot;
            ELSE
                released := false;
            END IF;
            v_streak := v_account.success_streak;
            v_fence := v_account.decrease_fence;
            IF p_feedback = 'success' THEN
                v_streak := least(v_streak + 1, v_account.increase_after);
                IF v_streak >= v_account.increase_after AND new_limit < v_account.slots THEN
                    v_streak := 0;
                    new_limit := new_limit + 1;
                END IF;
            ELSIF p_feedback = 'overloaded' THEN
                v_streak := 0;
                IF p_token > v_fence THEN
                    SELECT greatest(v_fence, t.last_value) INTO v_fence FROM netsuite_lease_tokens t;
                    new_limit := greatest(1, floor(old_limit * v_account.decrease_factor)::integer);
                    IF new_limit = old_limit AND new_limit > 1 THEN
                        new_limit := new_limit - 1;
                    END IF;
                END IF;
            ELSIF p_feedback <> 'neutral' THEN
                RAISE EXCEPTION 'unknown lease feedback %', p_feedback USING ERRCODE = '22023';
            END IF;
            IF v_streak <> v_account.success_streak OR v_fence <> v_account.decrease_fence
                OR new_limit <> old_limit THEN
                UPDATE netsuite_lease_accounts a SET
                    success_streak = v_streak, decrease_fence = v_fence, effective_limit = new_limit,
                    updated_at = CASE WHEN new_limit <> old_limit THEN now() ELSE a.updated_at END
                WHERE a.account = p_account;
            END IF;
            IF v_cleared OR new_limit > old_limit THEN
                wake_tickets := ferry_lease_wake(p_account, new_limit, v_account.reservations);
            END IF;
        END
        $$
        """,
        // LeaseTable.heartbeat: only the current token, and only before expiry.
        """
        CREATE FUNCTION ferry_lease_heartbeat(p_account text, p_slot integer, p_token bigint, p_ttl_ms integer)
        RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE netsuite_lease_slots s SET expires_at = now() + p_ttl_ms * interval '1 millisecond'
            WHERE s.account = p_account AND s.slot = p_slot AND s.token = p_token AND s.expires_at > now();
            RETURN FOUND;
        END
        $$
        """,
        // LeaseTable.leave.
        """
        CREATE FUNCTION ferry_lease_leave(p_account text, p_ticket bigint)
        RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE
            v_account netsuite_lease_accounts%ROWTYPE;
        BEGIN
            SELECT * INTO v_account FROM netsuite_lease_accounts a WHERE a.account = p_account FOR UPDATE;
            DELETE FROM netsuite_lease_waiters w WHERE w.account = p_account AND w.ticket = p_ticket;
            IF FOUND THEN
                PERFORM ferry_lease_wake(p_account, v_account.effective_limit, v_account.reservations);
                RETURN true;
            END IF;
            RETURN false;
        END
        $$
        """,
    ]

    /// Migration 3: the AIMD limit remembers the level NetSuite last refused (`AdaptiveLimit.overloadedAt`) and grows
    /// back to it `AdaptiveLimit.probeFactor` (8) times slower, so it stays one below that level instead of
    /// saw-toothing down to three quarters of it.
    static let probeMemoryStatements: [String] = [
        "ALTER TABLE netsuite_lease_accounts ADD COLUMN overloaded_at integer NOT NULL DEFAULT 0",
        // LeaseTable.release and AdaptiveLimit.record, with the probe memory.
        """
        CREATE OR REPLACE FUNCTION ferry_lease_release(
            p_account text, p_slot integer, p_token bigint, p_feedback text,
            OUT released boolean, OUT old_limit integer, OUT new_limit integer, OUT wake_tickets bigint[])
        LANGUAGE plpgsql AS $$
        DECLARE
            v_account netsuite_lease_accounts%ROWTYPE;
            v_cleared boolean := false;
            v_streak integer;
            v_fence bigint;
            v_overloaded_at integer;
            v_needed integer;
        BEGIN
            SELECT * INTO v_account FROM netsuite_lease_accounts a WHERE a.account = p_account FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'lease account is not configured' USING ERRCODE = 'P0002';
            END IF;
            old_limit := v_account.effective_limit;
            new_limit := old_limit;
            released := false;
            SELECT s.expires_at > now() INTO released FROM netsuite_lease_slots s
            WHERE s.account = p_account AND s.slot = p_slot AND s.token = p_token FOR UPDATE;
            IF FOUND THEN
                v_cleared := true;
                UPDATE netsuite_lease_slots s SET
                    holder = NULL, priority = NULL, token = NULL, acquired_at = NULL, expires_at = '-infinity'
                WHERE s.account = p_account AND s.slot = p_slot;
            ELSE
                released := false;
            END IF;
            v_streak := v_account.success_streak;
            v_fence := v_account.decrease_fence;
            v_overloaded_at := v_account.overloaded_at;
            IF p_feedback = 'success' THEN
                v_needed := v_account.increase_after;
                IF v_overloaded_at > 0 AND new_limit + 1 >= v_overloaded_at THEN
                    v_needed := v_account.increase_after * 8;
                END IF;
                v_streak := least(v_streak + 1, v_needed);
                IF v_streak >= v_needed AND new_limit < v_account.slots THEN
                    v_streak := 0;
                    new_limit := new_limit + 1;
                    IF new_limit >= v_overloaded_at THEN
                        v_overloaded_at := 0;
                    END IF;
                END IF;
            ELSIF p_feedback = 'overloaded' THEN
                v_streak := 0;
                IF p_token > v_fence THEN
                    SELECT greatest(v_fence, t.last_value) INTO v_fence FROM netsuite_lease_tokens t;
                    v_overloaded_at := old_limit;
                    new_limit := greatest(1, floor(old_limit * v_account.decrease_factor)::integer);
                    IF new_limit = old_limit AND new_limit > 1 THEN
                        new_limit := new_limit - 1;
                    END IF;
                END IF;
            ELSIF p_feedback <> 'neutral' THEN
                RAISE EXCEPTION 'unknown lease feedback %', p_feedback USING ERRCODE = '22023';
            END IF;
            IF v_streak <> v_account.success_streak OR v_fence <> v_account.decrease_fence
                OR new_limit <> old_limit OR v_overloaded_at <> v_account.overloaded_at THEN
                UPDATE netsuite_lease_accounts a SET
                    success_streak = v_streak, decrease_fence = v_fence, effective_limit = new_limit,
                    overloaded_at = v_overloaded_at,
                    updated_at = CASE WHEN new_limit <> old_limit THEN now() ELSE a.updated_at END
                WHERE a.account = p_account;
            END IF;
            IF v_cleared OR new_limit > old_limit THEN
                wake_tickets := ferry_lease_wake(p_account, new_limit, v_account.reservations);
            END IF;
        END
        $$
        """,
    ]

    /// Migration 5: a probe refused again at the same level waits twice as long next time
    /// (`AdaptiveLimit.probeRefusals`, at most 4 doublings), so a pool another integration holds for hours is probed
    /// ever more rarely instead of every few seconds.
    static let probeBackoffStatements: [String] = [
        "ALTER TABLE netsuite_lease_accounts ADD COLUMN probe_refusals integer NOT NULL DEFAULT 0",
        // LeaseTable.release and AdaptiveLimit.record, with the probe back-off.
        """
        CREATE OR REPLACE FUNCTION ferry_lease_release(
            p_account text, p_slot integer, p_token bigint, p_feedback text,
            OUT released boolean, OUT old_limit integer, OUT new_limit integer, OUT wake_tickets bigint[])
        LANGUAGE plpgsql AS $$
        DECLARE
            v_account netsuite_lease_accounts%ROWTYPE;
            v_cleared boolean := false;
            v_streak integer;
            v_fence bigint;
            v_overloaded_at integer;
            v_refusals integer;
            v_needed integer;
        BEGIN
            SELECT * INTO v_account FROM netsuite_lease_accounts a WHERE a.account = p_account FOR UPDATE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'lease account is not configured' USING ERRCODE = 'P0002';
            END IF;
            old_limit := v_account.effective_limit;
            new_limit := old_limit;
            released := false;
            SELECT s.expires_at > now() INTO released FROM netsuite_lease_slots s
            WHERE s.account = p_account AND s.slot = p_slot AND s.token = p_token FOR UPDATE;
            IF FOUND THEN
                v_cleared := true;
                UPDATE netsuite_lease_slots s SET
                    holder = NULL, priority = NULL, token = NULL, acquired_at = NULL, expires_at = '-infinity'
                WHERE s.account = p_account AND s.slot = p_slot;
            ELSE
                released := false;
            END IF;
            v_streak := v_account.success_streak;
            v_fence := v_account.decrease_fence;
            v_overloaded_at := v_account.overloaded_at;
            v_refusals := v_account.probe_refusals;
            IF p_feedback = 'success' THEN
                v_needed := v_account.increase_after;
                IF v_overloaded_at > 0 AND new_limit + 1 = v_overloaded_at THEN
                    v_needed := v_account.increase_after * 8 * (1 << least(v_refusals, 4));
                END IF;
                v_streak := least(v_streak + 1, v_needed);
                IF v_streak >= v_needed AND new_limit < v_account.slots THEN
                    v_streak := 0;
                    new_limit := new_limit + 1;
                    IF new_limit > v_overloaded_at THEN
                        v_overloaded_at := 0;
                        v_refusals := 0;
                    END IF;
                END IF;
            ELSIF p_feedback = 'overloaded' THEN
                v_streak := 0;
                IF p_token > v_fence THEN
                    SELECT greatest(v_fence, t.last_value) INTO v_fence FROM netsuite_lease_tokens t;
                    IF old_limit = v_overloaded_at THEN
                        v_refusals := least(v_refusals + 1, 4);
                    ELSE
                        v_refusals := 0;
                    END IF;
                    v_overloaded_at := old_limit;
                    new_limit := greatest(1, floor(old_limit * v_account.decrease_factor)::integer);
                    IF new_limit = old_limit AND new_limit > 1 THEN
                        new_limit := new_limit - 1;
                    END IF;
                END IF;
            ELSIF p_feedback <> 'neutral' THEN
                RAISE EXCEPTION 'unknown lease feedback %', p_feedback USING ERRCODE = '22023';
            END IF;
            IF v_streak <> v_account.success_streak OR v_fence <> v_account.decrease_fence
                OR new_limit <> old_limit OR v_overloaded_at <> v_account.overloaded_at
                OR v_refusals <> v_account.probe_refusals THEN
                UPDATE netsuite_lease_accounts a SET
                    success_streak = v_streak, decrease_fence = v_fence, effective_limit = new_limit,
                    overloaded_at = v_overloaded_at, probe_refusals = v_refusals,
                    updated_at = CASE WHEN new_limit <> old_limit THEN now() ELSE a.updated_at END
                WHERE a.account = p_account;
            END IF;
            IF v_cleared OR new_limit > old_limit THEN
                wake_tickets := ferry_lease_wake(p_account, new_limit, v_account.reservations);
            END IF;
        END
        $$
        """,
    ]
}
