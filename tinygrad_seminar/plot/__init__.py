"""The seminar's pictures, drawn with matplotlib (the extra ``plot``): each function returns the Figure."""
