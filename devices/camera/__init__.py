"""The camera (摄像头 / 高拍仪): reads QR codes shown on phones and captures paper documents."""
