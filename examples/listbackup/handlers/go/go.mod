module listbackup/handlers

go 1.23
