"""Small single-purpose request handlers, registered in one order by skill.builder."""
