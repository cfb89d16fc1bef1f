# Dates in English the way international readers of Indonesian data read them: day first, the
# month written out ("12 May 2019", "12 May 2019, 14:30"), never the US "May 12, 2019" or a
# 05/12/2019 that reads two ways; short dates in ISO (2019-05-12). Numbers with a decimal point
# and thousands commas (1,250,000.5). Money: contracts/templatetags/rupiah.py ("IDR 1,250,000").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1
# The Indonesian forms are still read (a form filled in on the Indonesian page, then switched).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
