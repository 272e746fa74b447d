-- 0017: performance (issue 3 benchmarks, FEFO allocation). Forward only.
--
-- The stock journal is a bulk table like units: an allocation of a 1,000-line
-- order writes ~900 journal rows in one statement, and the two per-row foreign
-- key checks on bins were ~5-10% of its database time. Bins are never deleted,
-- and the bin ids written come from the bins table or from units.bin_id (which
-- has no foreign key either, 0004): the journal's bin ids are checked by the
-- code that writes them, like the units'.
alter table stock_moves
  drop constraint if exists stock_moves_from_bin_id_fkey,
  drop constraint if exists stock_moves_to_bin_id_fkey;
