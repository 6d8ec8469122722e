"""The bundled demo: feeds and articles we wrote ourselves, served on 127.0.0.1."""
