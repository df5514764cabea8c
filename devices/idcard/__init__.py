"""The ID card reader (身份证阅读器): SAM frames over a serial line, the card layouts, a simulator."""
