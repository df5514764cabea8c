"""Input widgets for people who cannot type: the big numeric keypad and the big pinyin keyboard."""
