-- One database per service (DESIGN.md: database per service, one server may hold both).
CREATE DATABASE submission OWNER sangkien;
CREATE DATABASE awards OWNER sangkien;
