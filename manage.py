#!/usr/bin/env python
from sohoi.__main__ import main

if __name__ == "__main__":
    main()
