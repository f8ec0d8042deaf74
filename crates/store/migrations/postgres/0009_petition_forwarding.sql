-- Migration 9: a petition forwarded to a unit that keeps its registers in qcdc.
--
-- When a unit forwards a petition (chuyển đơn) to a competent unit of the
-- system, the receiving unit gets its own petition in its own register, with
-- origin_petition_id naming the petition it was forwarded from: the receiver
-- sees the sender's history, the sender sees where it went. The sender's
-- petition is closed by its forwarding step and counted by the receiver only.
ALTER TABLE petitions ADD COLUMN origin_petition_id BIGINT NULL REFERENCES petitions(id);
CREATE INDEX petitions_origin ON petitions(origin_petition_id);
