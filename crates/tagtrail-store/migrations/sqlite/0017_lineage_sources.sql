-- What the downward lineage walk (a recall from a seeds or clones package) needs to find by
-- its source: the plant batches planted from a package, the harvests a plant went into (a
-- manicure and then its harvest), and the packages made from a harvest. None is a typed column
-- (a package may come from several harvests, a harvest holds many plants), so the projection
-- tables keep a small index of their own here, filled by triggers from the records' JSON as
-- they are written. A batch's source package and a package's source harvests are set when it
-- is created and never change, so those rows are only ever added; a harvest's plants can change
-- (a plant restored from it), so its rows are rewritten when they do. Existing records are
-- indexed once below. A trigger's `INSERT OR IGNORE` would take the conflict policy of the
-- upsert that fired it, so the triggers skip rows already present themselves.
CREATE TABLE lineage_sources (
    source_kind TEXT NOT NULL CHECK (source_kind IN ('harvest', 'package', 'plant')),
    source_id INTEGER NOT NULL,
    child_id INTEGER NOT NULL,
    PRIMARY KEY (source_kind, source_id, child_id)
);
CREATE INDEX lineage_sources_child ON lineage_sources (source_kind, child_id);

CREATE TRIGGER lineage_sources_package_insert AFTER INSERT ON packages BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'harvest', json_extract(s.value, '$.harvest_id'), NEW.id
    FROM json_each(NEW.data, '$.source_harvests') AS s
    WHERE json_extract(s.value, '$.harvest_id') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'harvest'
        AND l.source_id = json_extract(s.value, '$.harvest_id') AND l.child_id = NEW.id);
END;
CREATE TRIGGER lineage_sources_package_update AFTER UPDATE OF data ON packages BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'harvest', json_extract(s.value, '$.harvest_id'), NEW.id
    FROM json_each(NEW.data, '$.source_harvests') AS s
    WHERE json_extract(s.value, '$.harvest_id') IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'harvest'
        AND l.source_id = json_extract(s.value, '$.harvest_id') AND l.child_id = NEW.id);
END;
CREATE TRIGGER lineage_sources_batch_insert AFTER INSERT ON plant_batches
WHEN json_extract(NEW.data, '$.source_package_id') IS NOT NULL BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT 'package', json_extract(NEW.data, '$.source_package_id'), NEW.id
    WHERE NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'package'
        AND l.source_id = json_extract(NEW.data, '$.source_package_id') AND l.child_id = NEW.id);
END;
CREATE TRIGGER lineage_sources_batch_update AFTER UPDATE OF data ON plant_batches
WHEN json_extract(NEW.data, '$.source_package_id') IS NOT NULL BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT 'package', json_extract(NEW.data, '$.source_package_id'), NEW.id
    WHERE NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'package'
        AND l.source_id = json_extract(NEW.data, '$.source_package_id') AND l.child_id = NEW.id);
END;
CREATE TRIGGER lineage_sources_harvest_insert AFTER INSERT ON harvests BEGIN
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'plant', s.value, NEW.id FROM json_each(NEW.data, '$.plant_ids') AS s
    WHERE NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'plant'
        AND l.source_id = s.value AND l.child_id = NEW.id);
END;
CREATE TRIGGER lineage_sources_harvest_update AFTER UPDATE OF data ON harvests
WHEN json_extract(OLD.data, '$.plant_ids') IS NOT json_extract(NEW.data, '$.plant_ids') BEGIN
    DELETE FROM lineage_sources WHERE source_kind = 'plant' AND child_id = NEW.id;
    INSERT INTO lineage_sources (source_kind, source_id, child_id)
    SELECT DISTINCT 'plant', s.value, NEW.id FROM json_each(NEW.data, '$.plant_ids') AS s
    WHERE NOT EXISTS (SELECT 1 FROM lineage_sources AS l WHERE l.source_kind = 'plant'
        AND l.source_id = s.value AND l.child_id = NEW.id);
END;

INSERT OR IGNORE INTO lineage_sources (source_kind, source_id, child_id)
SELECT 'harvest', json_extract(s.value, '$.harvest_id'), p.id
FROM packages AS p, json_each(p.data, '$.source_harvests') AS s
WHERE json_extract(s.value, '$.harvest_id') IS NOT NULL;
INSERT OR IGNORE INTO lineage_sources (source_kind, source_id, child_id)
SELECT 'package', json_extract(b.data, '$.source_package_id'), b.id
FROM plant_batches AS b
WHERE json_extract(b.data, '$.source_package_id') IS NOT NULL;
INSERT OR IGNORE INTO lineage_sources (source_kind, source_id, child_id)
SELECT 'plant', s.value, h.id
FROM harvests AS h, json_each(h.data, '$.plant_ids') AS s;
