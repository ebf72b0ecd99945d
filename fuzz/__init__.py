"""Coverage-guided fuzzing targets (atheris); run them with `make fuzz`."""
