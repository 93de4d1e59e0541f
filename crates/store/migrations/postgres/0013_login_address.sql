-- Sign-in throttling by source address as well as by name: one address's failures over every name
-- are counted (so spraying guesses over many accounts is slowed), and a name is locked per address
-- first, everywhere only after a higher count. Keep in step with the other backend's 0013.
CREATE INDEX login_attempt_ip ON login_attempt(ip, attempted_at);
