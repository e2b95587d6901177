# Hands the module on under another name, and names nothing of it.
from pkg import workers as w
