-- Storage at scale (issue 14). SQLite's migration 0027 packs the JSON of the history tier of
-- packages and of package adjustments and links; PostgreSQL keeps them as JSONB (its lineage
-- triggers read them, and TOAST compresses what is large), and its rows read the same either
-- way. What both do: the history tier keeps only the indexes its own reads use (by id, by
-- lastModified window, and its label); lists filtered by status, item, lab state or location
-- are the active inventory's, and over history they read the facility's rows in id order.
-- Package links are read by parent or child only (lineage), never listed by license;
-- adjustments are listed by license but never by a lastModified window.
DROP INDEX packages_history_status;
DROP INDEX packages_history_item;
DROP INDEX packages_history_lab_state;
DROP INDEX packages_history_item_name;
DROP INDEX packages_history_location_name;
DROP INDEX package_links_active_id;
DROP INDEX package_links_modified;
DROP INDEX package_adjustments_modified;
