"""The receipt printer (回执打印机): ESC/POS thermal printers, their status, a PNG preview of each receipt."""
